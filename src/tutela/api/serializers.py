"""What the API shows of each record, and what a change takes. Reading only: every change
goes through a service in the views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tutela.accounts.models import Account
from tutela.imports.models import ImportJob, ImportRowResult, ImportUpload
from tutela.imports.registry import importers
from tutela.people.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    RestrictionKind,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.people.services import LinkRights
from tutela.provisioning.models import AutoCreateJob


def code() -> serializers.SlugRelatedField[Any]:
    """A code-set value (a relationship, an email type...) as its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)


class StudentSerializer(serializers.ModelSerializer[Student]):
    school = serializers.CharField(source="school.school_number", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Student
        fields = [
            "id",
            "student_number",
            "first_name",
            "middle_name",
            "last_name",
            "school",
            "school_name",
            "grade_level",
            "enroll_status",
        ]


class EmailSerializer(serializers.ModelSerializer[ContactEmail]):
    email_type = code()

    class Meta:
        model = ContactEmail
        fields = ["id", "address", "email_type", "is_primary", "order"]


class PhoneSerializer(serializers.ModelSerializer[ContactPhone]):
    number = serializers.CharField(source="phone.number", read_only=True)
    extension = serializers.CharField(source="phone.extension", read_only=True)
    is_sms = serializers.BooleanField(source="phone.is_sms", read_only=True)
    phone_type = code()

    class Meta:
        model = ContactPhone
        fields = ["id", "number", "extension", "is_sms", "phone_type", "priority_order"]
        fields += ["is_preferred"]


class AddressSerializer(serializers.ModelSerializer[ContactAddress]):
    street = serializers.CharField(source="address.street", read_only=True)
    line_two = serializers.CharField(source="address.line_two", read_only=True)
    unit = serializers.CharField(source="address.unit", read_only=True)
    city = serializers.CharField(source="address.city", read_only=True)
    state: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="address.state", slug_field="code", read_only=True, allow_null=True
    )
    postal_code = serializers.CharField(source="address.postal_code", read_only=True)
    address_type = code()

    class Meta:
        model = ContactAddress
        fields = ["id", "street", "line_two", "unit", "city", "state", "postal_code"]
        fields += ["address_type", "start_date", "end_date", "priority_order"]


class DetailSerializer(serializers.ModelSerializer[StudentContactDetail]):
    relationship_type = code()

    class Meta:
        model = StudentContactDetail
        fields = ["id", "relationship_type", "relationship_note", "start_date", "end_date"]
        fields += LinkRights.names()


class LinkSerializer(serializers.ModelSerializer[StudentContact]):
    student = StudentSerializer(read_only=True)
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    details = DetailSerializer(many=True, read_only=True)
    grants_access = serializers.SerializerMethodField()

    class Meta:
        model = StudentContact
        fields = ["id", "student", "contact", "contact_priority_order", "restricted"]
        fields += ["grants_access", "details"]

    def get_grants_access(self, link: StudentContact) -> bool:
        return link.grants_access()


class ContactListSerializer(serializers.ListSerializer[Contact]):
    """A page of contacts: which of their students the caller sees, asked once for the page."""

    def to_representation(self, data: Any) -> list[Any]:
        contacts = list(data.all() if hasattr(data, "all") else data)
        students = {link.student_id for c in contacts for link in c.student_links.all()}
        assert self.child is not None  # the contact serializer, always
        self.child.context["visible_students"] = self.context["scope"].students_among(students)
        return super().to_representation(contacts)


class ContactSerializer(serializers.ModelSerializer[Contact]):
    emails = EmailSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        list_serializer_class = ContactListSerializer
        fields = ["id", "unique_id", "first_name", "middle_name", "last_name"]
        fields += ["preferred_language", "is_active", "emails", "phones", "addresses"]
        fields += ["links", "account"]

    def get_links(self, contact: Contact) -> list[dict[str, Any]]:
        """Only the links to students the caller may see (``scope``), as on the contact's card."""
        links = list(contact.student_links.all())
        visible = self.context.get("visible_students")
        if visible is None:
            visible = self.context["scope"].students_among(link.student_id for link in links)
        shown = [link for link in links if link.student_id in visible]
        return LinkSerializer(shown, many=True).data  # type: ignore[return-value]  # ReturnList

    def get_account(self, contact: Contact) -> int | None:
        account = getattr(contact, "account", None)
        return account.pk if account is not None else None


class ContactCreateSerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField(required=False, allow_null=True, help_text="a student id")
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100, required=False, default="")
    middle_name = serializers.CharField(max_length=100, required=False, default="")
    email = serializers.CharField(max_length=254, required=False, default="")
    phone = serializers.CharField(max_length=64, required=False, default="")
    relationship_type = serializers.CharField(max_length=64, required=False, allow_null=True)
    allow_data_access = serializers.BooleanField(required=False, default=False)


class RightsSerializer(serializers.Serializer[Any]):
    has_custody = serializers.BooleanField(required=False, default=False)
    lives_with = serializers.BooleanField(required=False, default=False)
    allow_school_pickup = serializers.BooleanField(required=False, default=False)
    is_emergency_contact = serializers.BooleanField(required=False, default=False)
    receives_mailings = serializers.BooleanField(required=False, default=False)
    allow_data_access = serializers.BooleanField(required=False, default=False)

    def rights(self) -> LinkRights:
        return LinkRights(**{name: self.validated_data[name] for name in LinkRights.names()})


class LinkCreateSerializer(RightsSerializer):
    contact = serializers.IntegerField(min_value=1)
    student = serializers.IntegerField(min_value=1)
    relationship_type = serializers.CharField(max_length=64, required=False, allow_null=True)


class DetailWriteSerializer(RightsSerializer):
    relationship_type = serializers.CharField(max_length=64, required=False, allow_null=True)
    relationship_note = serializers.CharField(max_length=500, required=False, default="")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)


class RestrictionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=RestrictionKind.choices, help_text="what the restriction rests on"
    )
    note = serializers.CharField(help_text="the court order or custody note")
    document = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="a reference to the document"
    )


class LiftSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(help_text="why the restriction ends")


class AccessChangeSerializer(serializers.Serializer[Any]):
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text="from this day (today when left out)"
    )


class AccountSerializer(serializers.ModelSerializer[Account]):
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    enabled = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "username", "email", "contact", "enabled", "last_login", "date_joined"]


class AccountCreateSerializer(serializers.Serializer[Any]):
    contact = serializers.IntegerField(min_value=1)
    username = serializers.CharField(max_length=150, required=False, allow_null=True)
    email = serializers.CharField(max_length=254, required=False, allow_null=True)
    send_activation = serializers.BooleanField(required=False, default=False)


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file_name", "dry_run", "status", "started_at", "finished_at"]
        fields += ["error", "totals"]


class ImportRowSerializer(serializers.ModelSerializer[ImportRowResult]):
    messages = serializers.SerializerMethodField()

    class Meta:
        model = ImportRowResult
        fields = ["row", "group", "outcome", "messages"]

    def get_messages(self, result: ImportRowResult) -> list[str]:
        return [line for line in result.messages.splitlines() if line]


class ImportUploadSerializer(serializers.ModelSerializer[ImportUpload]):
    preview = ImportJobSerializer(read_only=True)
    imported = ImportJobSerializer(read_only=True)

    class Meta:
        model = ImportUpload
        fields = ["id", "kind", "file_name", "size", "headers", "rows", "preview", "imported"]


class ImportUploadCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[])
    file = serializers.FileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(importers())  # type: ignore[attr-defined]  # ChoiceField


class AutoCreateJobSerializer(serializers.ModelSerializer[AutoCreateJob]):
    class Meta:
        model = AutoCreateJob
        fields = ["id", "selection", "simulate", "status", "phase", "done", "total"]
        fields += ["emails_sent", "created_at", "started_at", "finished_at", "error", "totals"]


class AutoCreateJobCreateSerializer(serializers.Serializer[Any]):
    school = serializers.CharField(max_length=32, required=False, default="")
    grades = serializers.ListField(child=serializers.CharField(max_length=16), required=False)
    simulate = serializers.BooleanField(required=False, default=True)


class ContactUpdateSerializer(serializers.Serializer[Any]):
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100, required=False, default="")
    middle_name = serializers.CharField(max_length=100, required=False, default="")
    state_contact_id = serializers.CharField(max_length=64, required=False, default="")
    employer = serializers.CharField(max_length=200, required=False, default="")
    exclude_from_state_reporting = serializers.BooleanField(required=False, default=True)
    is_active = serializers.BooleanField(required=False, default=False)


class EmailCreateSerializer(serializers.Serializer[Any]):
    address = serializers.CharField(max_length=254)
    email_type = serializers.CharField(max_length=64, required=False, allow_null=True)
    is_primary = serializers.BooleanField(required=False, default=False)


class PhoneCreateSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=64)
    extension = serializers.CharField(max_length=16, required=False, default="")
    phone_type = serializers.CharField(max_length=64, required=False, allow_null=True)
    is_sms = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_preferred = serializers.BooleanField(required=False, default=False)


class AddressCreateSerializer(serializers.Serializer[Any]):
    street = serializers.CharField(max_length=200)
    line_two = serializers.CharField(max_length=200, required=False, default="")
    unit = serializers.CharField(max_length=50, required=False, default="")
    city = serializers.CharField(max_length=100, required=False, default="")
    state = serializers.CharField(max_length=64, required=False, allow_null=True)
    postal_code = serializers.CharField(max_length=20, required=False, default="")
    address_type = serializers.CharField(max_length=64, required=False, allow_null=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
