"""Forms of the accounts (Logon IDs) and staff people screens."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.accounts.staff_members import ROLE_NAMES, ROLES
from tutela.people.models import School
from tutela.staff.forms import relationship_choices


class StudentTieForm(forms.Form):
    """Modify User's "tie student IDs": a student number, the relationship, data access."""

    student_number = forms.CharField(label="Student number", max_length=32)
    relationship_type = forms.ChoiceField(label="Relationship", required=False)
    allow_data_access = forms.BooleanField(
        label="Can access student data and email", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["relationship_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = relationship_choices("(none)")


class NewUserForm(StudentTieForm):
    """eSchoolPLUS's New User: the email is the logon id; a first student may be tied at once."""

    email = forms.EmailField(label="Email address (logon ID)", max_length=254)
    last_name = forms.CharField(label="Last name", max_length=100)
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    field_order = ["email", "last_name", "first_name", "student_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        number = self.fields["student_number"]
        number.label = "First student's number"
        number.required = False


ROLE_CHOICES = [(role, ROLE_NAMES[role]) for role in ROLES]


class StaffAccessForm(forms.Form):
    """A staff person's role and the schools it covers."""

    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect)
    schools = forms.ModelMultipleChoiceField(
        label="Schools",
        queryset=School.objects.order_by("name", "school_number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A school admin needs at least one; a district admin covers them all.",
    )


class StaffPersonForm(StaffAccessForm):
    """A new staff person: who they are and where the activation link goes."""

    username = forms.CharField(label="Username", max_length=150)
    email = forms.EmailField(label="Email (the activation link goes here)", max_length=254)
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    field_order = ["username", "email", "first_name", "last_name", "role", "schools"]
