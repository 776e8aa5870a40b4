"""The contact card's phones: add, edit (type, priority, extension, SMS, preferred), delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.models import ContactPhone
from tutela.people.services import (
    add_phone,
    remove_phone,
    require_contact_in_scope,
    update_phone,
)
from tutela.staff.contact_forms import PhoneForm
from tutela.staff.views.common import changed, edit_page, saved, visible_contact


def _phone_fields(form: PhoneForm) -> dict[str, Any]:
    """The phone form's values as the phone services take them."""
    return {**form.cleaned_data, "phone_type": form.cleaned_data["phone_type"] or None}


@staff_required
@require_http_methods(["GET", "POST"])
def phone_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def add() -> None:
            require_contact_in_scope(actor=account, contact=contact)
            add_phone(actor=account, contact=contact, **_phone_fields(form))

        if saved(request, form, "Phone added.", add):
            return redirect("staff:contact", contact_id=contact.pk)
    return edit_page(
        request,
        form=form,
        title=f"Add a phone for {contact}",
        back=reverse("staff:contact", args=[contact.pk]),
        back_label=str(contact),
        submit="Add phone",
    )


def _phone(account: Account, contact_id: int, phone_id: int) -> ContactPhone:
    """One of the contact's phones, the contact first opened through the actor's scope."""
    contact = visible_contact(account, contact_id)
    row: ContactPhone = get_object_or_404(
        contact.phones.select_related("phone", "phone_type"), pk=phone_id
    )
    row.contact = contact
    return row


@staff_required
@require_http_methods(["GET", "POST"])
def phone_edit(
    request: HttpRequest, account: Account, contact_id: int, phone_id: int
) -> HttpResponse:
    row = _phone(account, contact_id, phone_id)
    form = PhoneForm(request.POST or None, initial=PhoneForm.initial_for(row))
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            request,
            form,
            "Phone saved.",
            lambda: update_phone(actor=account, contact_phone=row, **_phone_fields(form)),
        )
    ):
        return redirect("staff:contact", contact_id=contact_id)
    sharing = row.phone.contact_links.exclude(contact_id=contact_id).count()
    return edit_page(
        request,
        form=form,
        title=f"Edit the phone {row.phone}",
        back=reverse("staff:contact", args=[contact_id]),
        back_label=str(row.contact),
        submit="Save phone",
        extra={
            "note": (
                f"This number is shared with {sharing} other contact{'s' if sharing > 1 else ''}: "
                "a new number changes it for this contact only; text messages (SMS) belong to "
                "the number and change for all of them."
            )
            if sharing
            else ""
        },
    )


@staff_required
@require_POST
def phone_delete(
    request: HttpRequest, account: Account, contact_id: int, phone_id: int
) -> HttpResponse:
    row = _phone(account, contact_id, phone_id)
    changed(
        request,
        f"The phone {row.phone} was removed.",
        lambda: remove_phone(actor=account, contact_phone=row),
    )
    return redirect("staff:contact", contact_id=contact_id)
