"""The Django admin over the people data: enough to browse the demo district."""

from __future__ import annotations

from django.contrib import admin

from tutela.people import models


@admin.register(models.Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ("code_type", "code", "display_name", "parent")
    list_filter = ("code_type",)
    search_fields = ("code", "display_name")


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("school_number", "name")
    search_fields = ("school_number", "name")


class StudentLinkInline(admin.TabularInline):
    model = models.StudentContact
    extra = 0
    raw_id_fields = ("student", "contact")


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("student_number", "last_name", "first_name", "school", "grade_level")
    list_filter = ("school", "grade_level")
    search_fields = ("student_number", "last_name", "first_name")
    inlines = [StudentLinkInline]


class EmailInline(admin.TabularInline):
    model = models.ContactEmail
    extra = 0


class PhoneInline(admin.TabularInline):
    model = models.ContactPhone
    extra = 0
    raw_id_fields = ("phone",)


class AddressInline(admin.TabularInline):
    model = models.ContactAddress
    extra = 0
    raw_id_fields = ("address",)


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("id", "last_name", "first_name", "is_active")
    search_fields = ("last_name", "first_name", "emails__address")
    inlines = [EmailInline, PhoneInline, AddressInline, StudentLinkInline]


class DetailInline(admin.TabularInline):
    model = models.StudentContactDetail
    extra = 0


@admin.register(models.StudentContact)
class StudentContactAdmin(admin.ModelAdmin):
    list_display = ("student", "contact", "contact_priority_order", "original_contact_type")
    raw_id_fields = ("student", "contact")
    inlines = [DetailInline]
