"""The people data in the Django admin, view only: enough to browse the district.

Every change to a person goes through the services (the staff screens, the imports and the
``tutela`` command), which record who made it and keep the district's rules; the admin would
bypass both, so nobody, superusers included, adds, changes or deletes people here.
"""

from __future__ import annotations

from django.contrib import admin

from tutela.core.admin import ViewOnlyAdmin, ViewOnlyInline
from tutela.people import models


@admin.register(models.Code)
class CodeAdmin(ViewOnlyAdmin):
    list_display = ("code_type", "code", "display_name", "parent")
    list_filter = ("code_type",)
    search_fields = ("code", "display_name")


@admin.register(models.School)
class SchoolAdmin(ViewOnlyAdmin):
    list_display = ("school_number", "name")
    search_fields = ("school_number", "name")


class StudentLinkInline(ViewOnlyInline):
    model = models.StudentContact
    raw_id_fields = ("student", "contact")


@admin.register(models.Student)
class StudentAdmin(ViewOnlyAdmin):
    list_display = ("student_number", "last_name", "first_name", "school", "grade_level")
    list_filter = ("school", "grade_level")
    search_fields = ("student_number", "last_name", "first_name")
    inlines = [StudentLinkInline]


class EmailInline(ViewOnlyInline):
    model = models.ContactEmail


class PhoneInline(ViewOnlyInline):
    model = models.ContactPhone
    raw_id_fields = ("phone",)


class AddressInline(ViewOnlyInline):
    model = models.ContactAddress
    raw_id_fields = ("address",)


@admin.register(models.Contact)
class ContactAdmin(ViewOnlyAdmin):
    list_display = ("id", "last_name", "first_name", "is_active")
    search_fields = ("last_name", "first_name", "emails__address")
    inlines = [EmailInline, PhoneInline, AddressInline, StudentLinkInline]


class DetailInline(ViewOnlyInline):
    model = models.StudentContactDetail


@admin.register(models.StudentContact)
class StudentContactAdmin(ViewOnlyAdmin):
    list_display = ("student", "contact", "contact_priority_order", "original_contact_type")
    raw_id_fields = ("student", "contact")
    inlines = [DetailInline]
