"""Forms for signing in, choosing and changing passwords, and asking for a reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from tutela.accounts.models import Account


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for "username or email" (both work)."""

    username = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password do not match an enabled account.",
    }


class NewPasswordForm(forms.Form):
    """Choose a password, typed twice; the rules are checked by the service."""

    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError("The two passwords are not the same.")
        return data


class ChangePasswordForm(NewPasswordForm):
    """Change one's own password: the current one first."""

    field_order = ["old_password", "new_password1", "new_password2"]
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        self.account = account
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.account.check_password(old):
            raise forms.ValidationError("That is not your current password.")
        return str(old)


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label="Username or email", max_length=254)
