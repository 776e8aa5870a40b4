"""Django admin for accounts: where district admins give staff their schools.

Parents' accounts are managed on the staff screens and with ``tutela accounts``; the admin is
for staff accounts (``is_staff``, ``is_district_admin``, ``schools``) and for reading the
security events.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField

from tutela.accounts.models import Account, SecurityEvent
from tutela.core.admin import AuditTrailAdmin


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = Account
        fields = "__all__"
        field_classes = {"username": UsernameField}


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = Account
        fields = ("username",)
        field_classes = {"username": UsernameField}


@admin.register(Account)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Tutela",
            {
                "fields": (
                    "contact",
                    "must_change_password",
                    "is_imported",
                    "is_district_admin",
                    "schools",
                    "state_guardian_number",
                )
            },
        ),
    )
    raw_id_fields = ("contact",)
    filter_horizontal = ("groups", "user_permissions", "schools")
    list_display = ("username", "email", "contact", "is_active", "is_staff", "is_district_admin")
    list_filter = ("is_staff", "is_district_admin", "is_active", "is_imported")


@admin.register(SecurityEvent)
class SecurityEventAdmin(AuditTrailAdmin):
    list_display = ("at", "kind", "identifier", "account", "actor", "actor_name", "ip_address")
    list_filter = ("kind",)
    search_fields = ("identifier", "account__username", "ip_address")
    date_hierarchy = "at"
