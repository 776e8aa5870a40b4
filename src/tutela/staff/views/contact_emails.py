"""The contact card's Email Addresses: add (with type and primary), edit, delete, make primary."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.models import ContactEmail
from tutela.people.services import (
    add_email,
    make_primary_email,
    remove_email,
    require_contact_in_scope,
    update_email,
)
from tutela.staff.contact_forms import EmailEditForm, EmailForm, code_of
from tutela.staff.views.common import changed, edit_page, saved, visible_contact


@staff_required
@require_POST
def email_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """Add an email to the contact (the first one is primary, as PowerSchool's does)."""
    contact = visible_contact(account, contact_id)
    form = EmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter an email address.")
    else:
        data = form.cleaned_data

        def add() -> None:
            require_contact_in_scope(actor=account, contact=contact)
            add_email(
                actor=account,
                contact=contact,
                address=data["address"],
                email_type=data["email_type"] or None,
                is_primary=data["is_primary"] or not contact.emails.exists(),
            )

        changed(request, "Email added.", add)
    return redirect("staff:contact", contact_id=contact.pk)


def _email(account: Account, contact_id: int, email_id: int) -> ContactEmail:
    """One of the contact's emails, the contact first opened through the actor's scope."""
    contact = visible_contact(account, contact_id)
    email: ContactEmail = get_object_or_404(contact.emails, pk=email_id)
    email.contact = contact
    return email


@staff_required
@require_http_methods(["GET", "POST"])
def email_edit(
    request: HttpRequest, account: Account, contact_id: int, email_id: int
) -> HttpResponse:
    email = _email(account, contact_id, email_id)
    initial = {"address": email.address, "email_type": code_of(email.email_type)}
    form = EmailEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if saved(
            request,
            form,
            "Email saved.",
            lambda: update_email(
                actor=account,
                email=email,
                address=data["address"],
                email_type=data["email_type"] or None,
            ),
        ):
            return redirect("staff:contact", contact_id=contact_id)
    return edit_page(
        request,
        form=form,
        title=f"Edit the email {email.address}",
        back=reverse("staff:contact", args=[contact_id]),
        back_label=str(email.contact),
        submit="Save email",
    )


@staff_required
@require_POST
def email_primary(
    request: HttpRequest, account: Account, contact_id: int, email_id: int
) -> HttpResponse:
    email = _email(account, contact_id, email_id)
    changed(
        request,
        f"{email.address} is now the primary email.",
        lambda: make_primary_email(actor=account, email=email),
    )
    return redirect("staff:contact", contact_id=contact_id)


@staff_required
@require_POST
def email_delete(
    request: HttpRequest, account: Account, contact_id: int, email_id: int
) -> HttpResponse:
    email = _email(account, contact_id, email_id)
    changed(
        request,
        f"{email.address} was removed.",
        lambda: remove_email(actor=account, email=email),
    )
    return redirect("staff:contact", contact_id=contact_id)
