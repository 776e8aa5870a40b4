"""Forms for signing in, choosing and changing passwords, and asking for a reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tutela.accounts.models import Account


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for "username or email" (both work)."""

    username = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That username or email and password do not match an enabled account."),
    }


class NewPasswordForm(forms.Form):
    """Choose a password, typed twice; the rules are checked by the service."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError(_("The two passwords are not the same."))
        return data


class ChangePasswordForm(NewPasswordForm):
    """Change one's own password: the current one first."""

    field_order = ["old_password", "new_password1", "new_password2"]
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, account: Account, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.account = account
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        # Checked as a sign-in is: the same lockout counts each guess (someone at an unlocked
        # computer must not get unlimited tries), and each failure is a security event.
        old = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.account.username, password=old) is None:
            raise forms.ValidationError(_("That is not your current password."))
        return str(old)


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("Username or email"), max_length=254)


class TwoStepCodeForm(forms.Form):
    """The code of two-step sign-in: the app's 6 digits, or a recovery code."""

    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )
