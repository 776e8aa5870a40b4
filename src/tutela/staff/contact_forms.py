"""Forms of the contact card and the student page: each field as the services take it."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.people.models import (
    Code,
    CodeType,
    Contact,
    ContactAddress,
    ContactPhone,
    RestrictionKind,
    StudentContactDetail,
)
from tutela.people.services import LinkRights

DATE = forms.DateInput(attrs={"type": "date"})


def code_choices(code_type: CodeType) -> list[tuple[str, str]]:
    """A district code set as a drop-down: the code as the services take it, its display."""
    codes = Code.objects.filter(code_type=code_type).select_related("parent")
    return [("", "(none)")] + [(c.qualified_code, c.display_name or c.code) for c in codes]


class CodeField(forms.ChoiceField):
    """A drop-down of one code set, read when the form is built (districts edit code sets)."""

    def __init__(self, code_type: CodeType, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.code_type = code_type


class CodeSetForm(forms.Form):
    """A form whose code fields list the district's codes as they are now."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, CodeField):
                field.choices = code_choices(field.code_type)


def code_of(value: object) -> str:
    """A code as the drop-downs name it (``code_field`` columns are loosely typed)."""
    return value.qualified_code if isinstance(value, Code) else ""


class ContactNamesForm(CodeSetForm):
    """The card's names and codes."""

    name_prefix = CodeField(CodeType.PREFIX, label="Prefix")
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    middle_name = forms.CharField(label="Middle name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100)
    suffix = CodeField(CodeType.SUFFIX, label="Suffix")
    gender = CodeField(CodeType.GENDER, label="Gender")
    unique_id = forms.CharField(
        label="Unique ID",
        max_length=64,
        required=False,
        strip=False,
        help_text="The district-wide ID of this person (the SIS person ID), case-sensitive.",
    )
    state_contact_id = forms.CharField(label="State contact ID", max_length=64, required=False)
    employer = forms.CharField(label="Employer", max_length=200, required=False)
    exclude_from_state_reporting = forms.BooleanField(
        label="Exclude from state reporting", required=False
    )
    is_active = forms.BooleanField(label="Active", required=False)

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        return {
            "name_prefix": code_of(contact.prefix),
            "first_name": contact.first_name,
            "middle_name": contact.middle_name,
            "last_name": contact.last_name,
            "suffix": code_of(contact.suffix),
            "gender": code_of(contact.gender),
            "unique_id": contact.unique_id,
            "state_contact_id": contact.state_contact_id,
            "employer": contact.employer,
            "exclude_from_state_reporting": contact.exclude_from_state_reporting,
            "is_active": contact.is_active,
        }


class EmailForm(CodeSetForm):
    """PowerSchool's "Add Email": type, address, and whether it is the primary one."""

    email_type = CodeField(CodeType.EMAIL_TYPE, label="Type")
    address = forms.CharField(label="Email address", max_length=254)
    is_primary = forms.BooleanField(label="Primary", required=False)


class EmailEditForm(CodeSetForm):
    email_type = CodeField(CodeType.EMAIL_TYPE, label="Type")
    address = forms.CharField(label="Email address", max_length=254)


class PhoneForm(CodeSetForm):
    phone_type = CodeField(CodeType.PHONE_TYPE, label="Type")
    number = forms.CharField(label="Number", max_length=64)
    extension = forms.CharField(label="Extension", max_length=16, required=False)
    priority_order = forms.IntegerField(
        label="Priority", min_value=1, required=False, help_text="1 is called first."
    )
    is_sms = forms.BooleanField(label="Receives text messages (SMS)", required=False)
    is_preferred = forms.BooleanField(label="Preferred", required=False)

    @staticmethod
    def initial_for(row: ContactPhone) -> dict[str, Any]:
        return {
            "phone_type": code_of(row.phone_type),
            "number": row.phone.number,
            "extension": row.phone.extension,
            "priority_order": row.priority_order,
            "is_sms": row.phone.is_sms,
            "is_preferred": row.is_preferred,
        }


class AddressForm(CodeSetForm):
    address_type = CodeField(CodeType.ADDRESS_TYPE, label="Type")
    street = forms.CharField(label="Street", max_length=200)
    line_two = forms.CharField(label="Line two", max_length=200, required=False)
    unit = forms.CharField(label="Unit", max_length=50, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = CodeField(CodeType.STATE, label="State")
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    start_date = forms.DateField(label="From", required=False, widget=DATE)
    end_date = forms.DateField(label="Until", required=False, widget=DATE)
    priority_order = forms.IntegerField(label="Order", min_value=1, required=False)

    @staticmethod
    def initial_for(row: ContactAddress) -> dict[str, Any]:
        address = row.address
        return {
            "address_type": code_of(row.address_type),
            "street": address.street,
            "line_two": address.line_two,
            "unit": address.unit,
            "city": address.city,
            "state": code_of(address.state),
            "postal_code": address.postal_code,
            "start_date": row.start_date,
            "end_date": row.end_date,
            "priority_order": row.priority_order,
        }


class LinkDetailForm(CodeSetForm):
    """A link's dated detail: PowerSchool's pencil, with its Data Access tab's box."""

    relationship_type = CodeField(CodeType.RELATIONSHIP_TYPE, label="Relationship")
    relationship_note = forms.CharField(label="Relationship note", max_length=500, required=False)
    start_date = forms.DateField(label="From", required=False, widget=DATE)
    end_date = forms.DateField(label="Until", required=False, widget=DATE)
    allow_data_access = forms.BooleanField(
        label="Can access student data and email", required=False
    )
    has_custody = forms.BooleanField(label="Has custody", required=False)
    lives_with = forms.BooleanField(label="Lives with", required=False)
    allow_school_pickup = forms.BooleanField(label="School pickup", required=False)
    is_emergency_contact = forms.BooleanField(label="Emergency contact", required=False)
    receives_mailings = forms.BooleanField(label="Receives mailings", required=False)

    def rights(self) -> LinkRights:
        data = self.cleaned_data
        return LinkRights(**{name: bool(data.get(name)) for name in LinkRights.names()})

    def dated(self) -> dict[str, Any]:
        """The keyword arguments the detail services take, besides the rights."""
        data = self.cleaned_data
        return {
            "relationship_type": data["relationship_type"] or None,
            "relationship_note": data["relationship_note"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
        }

    @staticmethod
    def initial_for(detail: StudentContactDetail | None) -> dict[str, Any]:
        if detail is None:
            return {}
        return {
            "relationship_type": code_of(detail.relationship_type),
            "relationship_note": detail.relationship_note,
            "start_date": detail.start_date,
            "end_date": detail.end_date,
            **{name: getattr(detail, name) for name in LinkRights.names()},
        }


class NewDetailForm(LinkDetailForm):
    """A new dated detail needs the day it starts."""

    start_date = forms.DateField(label="From", widget=DATE)


class AddStudentForm(LinkDetailForm):
    """Add Students: the student found, where it goes among the student's contacts, the rights."""

    student = forms.TypedChoiceField(label="Student", coerce=int, widget=forms.RadioSelect)
    contact_priority_order = forms.IntegerField(
        label="Priority among the student's contacts",
        min_value=1,
        required=False,
        help_text="Leave blank to put this contact last.",
    )
    field_order = ["student", "relationship_type", "allow_data_access"]

    def __init__(self, students: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["student"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (s.pk, f"{s.first_name} {s.last_name} ({s.student_number}, {s.school})")
            for s in students
        ]


class EndDetailForm(forms.Form):
    end_date = forms.DateField(label="Ends on", widget=DATE)


class RestrictedForm(forms.Form):
    """Restricting a link: what the restriction rests on, the note, the document."""

    kind = forms.ChoiceField(label="Restriction", choices=RestrictionKind.choices)
    note = forms.CharField(
        label="Note (required): which order or note applies",
        max_length=500,
        required=False,
        widget=forms.Textarea,
    )
    document = forms.CharField(label="Document reference", max_length=200, required=False)


class LiftRestrictionForm(forms.Form):
    note = forms.CharField(
        label="Note (required): why the restriction ends",
        max_length=500,
        required=False,
        widget=forms.Textarea,
    )


class UsernameForm(forms.Form):
    username = forms.CharField(label="New username", max_length=150)


class NewContactForm(CodeSetForm):
    """A new contact: who they are, how to reach them, and their link to the student."""

    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.CharField(label="Email address", max_length=254, required=False)
    phone = forms.CharField(label="Phone", max_length=64, required=False)
    student_number = forms.CharField(
        label="Student number",
        max_length=32,
        required=False,
        help_text="The student this contact belongs to (school staff must give one).",
    )
    relationship_type = CodeField(CodeType.RELATIONSHIP_TYPE, label="Relationship")
    allow_data_access = forms.BooleanField(
        label="Can access student data and email", required=False
    )
    has_custody = forms.BooleanField(label="Has custody", required=False)
    lives_with = forms.BooleanField(label="Lives with", required=False)
    is_emergency_contact = forms.BooleanField(label="Emergency contact", required=False)

    def rights(self) -> LinkRights:
        data = self.cleaned_data
        return LinkRights(
            allow_data_access=bool(data.get("allow_data_access")),
            has_custody=bool(data.get("has_custody")),
            lives_with=bool(data.get("lives_with")),
            is_emergency_contact=bool(data.get("is_emergency_contact")),
        )
