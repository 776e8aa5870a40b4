"""The merge form of the duplicates queue: which contact stays, and whose value each field keeps."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.accounts.models import Account
from tutela.people.models import Contact
from tutela.people.services import MERGE_FIELDS


def field_label(name: str) -> str:
    field = Contact._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def shown(value: object) -> str:
    """A field's value as staff read it (a code by its display name)."""
    if value is None or value == "":
        return "(blank)"
    return str(getattr(value, "display_name", "") or value)


def differing_fields(one: Contact, other: Contact) -> list[str]:
    """The fields both contacts fill in differently: only there is a choice to make (a blank
    field is filled from the other contact by the merge itself)."""
    return [
        name
        for name in MERGE_FIELDS
        if getattr(one, name)
        and getattr(other, name)
        and getattr(one, name) != getattr(other, name)
    ]


class DuplicateMergeForm(forms.Form):
    """Merge two contacts: the one that stays, the value kept for each field where they differ,
    and, when both have an account, the account that stays."""

    survivor = forms.ChoiceField(label="Contact that stays", widget=forms.RadioSelect)

    def __init__(self, one: Contact, other: Contact, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(one.pk): one, str(other.pk): other}
        survivor = self.fields["survivor"]
        assert isinstance(survivor, forms.ChoiceField)
        survivor.choices = [(str(c.pk), f"{c} #{c.pk}") for c in (one, other)]
        survivor.initial = str(one.pk)
        self.differing = differing_fields(one, other)
        for name in self.differing:
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=field_label(name),
                widget=forms.RadioSelect,
                choices=[(str(c.pk), f"{shown(getattr(c, name))} (#{c.pk})") for c in (one, other)],
                initial=str(one.pk),
            )
        accounts = list(Account.objects.filter(contact__in=[one, other]).order_by("contact_id"))
        self.accounts = {str(a.pk): a for a in accounts}
        if len(accounts) == 2:
            self.fields["account"] = forms.ChoiceField(
                label="Account that stays (the other is disabled and signed out)",
                widget=forms.RadioSelect,
                choices=[
                    (
                        str(a.pk),
                        f"{a.username} (last sign-in {a.last_login or 'never'})",
                    )
                    for a in accounts
                ],
                initial=str(max(accounts, key=_last_signed_in).pk),
            )

    def choices(self) -> tuple[Contact, Contact, list[str], Account | None]:
        """The surviving contact, the merged one, the fields taken from the merged one, and
        the account chosen to stay (``None``: the merge's own rule)."""
        data = self.cleaned_data
        into = self.contacts[data["survivor"]]
        duplicate = next(c for pk, c in self.contacts.items() if pk != data["survivor"])
        take = [name for name in self.differing if data[f"field_{name}"] == str(duplicate.pk)]
        account = self.accounts.get(data.get("account") or "")
        return into, duplicate, take, account


def _last_signed_in(account: Account) -> str:
    return account.last_login.isoformat() if account.last_login else ""
