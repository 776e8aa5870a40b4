"""Django admin for accounts: where district admins give staff their schools.

Parents' accounts are managed on the staff screens and with ``tutela accounts``, which record
who acted and keep the district's rules: in the admin a parent's account (one with a contact)
is view only, and no account's contact can be set or changed here. The admin is for staff
accounts (``is_staff``, ``is_district_admin``, ``schools``) and for reading the security events.
Two-step sign-in's devices are not in it: their pages would show an account's secret (and its
QR code) and recovery codes to someone other than its owner; a district admin resets someone's
two-step sign-in on the staff screens.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tutela.accounts.models import Account, SecurityEvent
from tutela.core.admin import ViewOnlyAdmin

# django-otp's plugins registered them first (they come before Tutela's apps).
admin.site.unregister([TOTPDevice, StaticDevice])


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
    readonly_fields = ("contact", "is_imported", "state_guardian_number")
    filter_horizontal = ("groups", "user_permissions", "schools")
    list_display = ("username", "email", "contact", "is_active", "is_staff", "is_district_admin")
    list_filter = ("is_staff", "is_district_admin", "is_active", "is_imported")

    def has_change_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        if obj is not None and obj.contact_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        if obj is not None and obj.contact_id is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ViewOnlyAdmin):
    list_display = ("at", "kind", "identifier", "account", "actor", "actor_name", "ip_address")
    list_filter = ("kind",)
    search_fields = ("identifier", "account__username", "ip_address")
    date_hierarchy = "at"
