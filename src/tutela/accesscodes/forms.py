"""Forms of the access-code pages: what a parent or a staff member types, checked for shape only.

Whether a code is right is the services' business (with the guard against guessing); a form
never looks a code up.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Access code"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("As printed by the school, e.g. ABCD-2345-WXYZ"))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )


class RegistrationForm(forms.Form):
    code = CodeField()
    first_name = forms.CharField(label=_("Your first name"), max_length=100)
    last_name = forms.CharField(label=_("Your last name"), max_length=100)
    email = forms.EmailField(label=_("Your email"), max_length=254)


class ChoosePasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class AddChildForm(forms.Form):
    code = CodeField(help_text=_("The access code of the child to add, e.g. ABCD-2345-WXYZ"))


class ResetStudentForm(forms.Form):
    student_number = forms.CharField(label="Student number", max_length=32)


class ResetManyForm(forms.Form):
    """Reset every code of a school (its number) or, with the school left blank, the district."""

    school = forms.CharField(label="School number", max_length=32, required=False)
    confirm = forms.BooleanField(
        label="I understand that every one of these codes stops working at once", required=True
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label="Note", max_length=500, required=False)
