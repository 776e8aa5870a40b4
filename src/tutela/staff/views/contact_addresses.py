"""The contact card's addresses, dated and ordered: add, edit, delete."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.models import ContactAddress
from tutela.people.services import (
    add_address,
    remove_address,
    require_contact_in_scope,
    update_address,
)
from tutela.staff.contact_forms import AddressForm
from tutela.staff.views.common import changed, edit_page, saved, visible_contact


@staff_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["state"] = data["state"] or None
        data["address_type"] = data["address_type"] or None

        def add() -> None:
            require_contact_in_scope(actor=account, contact=contact)
            add_address(actor=account, contact=contact, **data)

        if saved(request, form, "Address added.", add):
            return redirect("staff:contact", contact_id=contact.pk)
    return edit_page(
        request,
        form=form,
        title=f"Add an address for {contact}",
        back=reverse("staff:contact", args=[contact.pk]),
        back_label=str(contact),
        submit="Add address",
    )


def _address(account: Account, contact_id: int, address_id: int) -> ContactAddress:
    """One of the contact's addresses, the contact first opened through the actor's scope."""
    contact = visible_contact(account, contact_id)
    row: ContactAddress = get_object_or_404(
        contact.addresses.select_related("address__state", "address_type"), pk=address_id
    )
    row.contact = contact
    return row


@staff_required
@require_http_methods(["GET", "POST"])
def address_edit(
    request: HttpRequest, account: Account, contact_id: int, address_id: int
) -> HttpResponse:
    row = _address(account, contact_id, address_id)
    form = AddressForm(request.POST or None, initial=AddressForm.initial_for(row))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["state"] = data["state"] or None
        data["address_type"] = data["address_type"] or None
        if saved(
            request,
            form,
            "Address saved.",
            lambda: update_address(actor=account, contact_address=row, **data),
        ):
            return redirect("staff:contact", contact_id=contact_id)
    return edit_page(
        request,
        form=form,
        title=f"Edit the address {row.address}",
        back=reverse("staff:contact", args=[contact_id]),
        back_label=str(row.contact),
        submit="Save address",
    )


@staff_required
@require_POST
def address_delete(
    request: HttpRequest, account: Account, contact_id: int, address_id: int
) -> HttpResponse:
    row = _address(account, contact_id, address_id)
    changed(
        request,
        f"The address {row.address} was removed.",
        lambda: remove_address(actor=account, contact_address=row),
    )
    return redirect("staff:contact", contact_id=contact_id)
