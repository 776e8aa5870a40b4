"""Forms for the staff screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from tutela.people.models import Code, CodeType, Contact

METHODS = [
    ("activation", "Email an activation link"),
    ("temporary-password", "Set a temporary password (changed at first sign-in)"),
]


class AccountCreateForm(forms.Form):
    """PowerSchool's "Add Account": one of the contact's emails, a username, a first sign-in."""

    email = forms.ChoiceField(label="Account email")
    username = forms.CharField(
        label="Username", max_length=150, required=False, help_text="Leave blank to use the email."
    )
    method = forms.ChoiceField(label="First sign-in", choices=METHODS, widget=forms.RadioSelect)
    temporary_password = forms.CharField(
        label="Temporary password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, contact: Contact, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        emails = list(contact.emails.all())
        email_field = self.fields["email"]
        assert isinstance(email_field, forms.ChoiceField)
        email_field.choices = [(e.address, e.address) for e in emails]
        primary = next((e for e in emails if e.is_primary), emails[0] if emails else None)
        if primary is not None:
            self.fields["email"].initial = primary.address
        self.fields["method"].initial = settings.TUTELA_FIRST_SIGN_IN

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == "temporary-password" and not data.get("temporary_password"):
            self.add_error("temporary_password", "Enter the temporary password.")
        return data


def relationship_choices(blank: str = "(keep as recorded)") -> list[tuple[str, str]]:
    codes = Code.objects.filter(code_type=CodeType.RELATIONSHIP_TYPE)
    return [("", blank)] + [(c.code, c.display_name or c.code) for c in codes]


class MergeForm(forms.Form):
    """The one confirmation of the "already in use" fix."""

    relationship_type = forms.ChoiceField(label="Relationship", required=False)
    allow_data_access = forms.BooleanField(
        label="Can access student data and email", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["relationship_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = relationship_choices()


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(label="Temporary password", strip=False, widget=forms.PasswordInput)


class EmailAddForm(forms.Form):
    """PowerSchool's "Add Email": an address, and whether it is the primary one."""

    address = forms.CharField(label="Email address", max_length=254)
    is_primary = forms.BooleanField(label="Primary", required=False)
