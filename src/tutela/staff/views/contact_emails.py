"""The contact card's Email Addresses section."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.services import ServiceError, add_email
from tutela.staff.forms import EmailAddForm
from tutela.staff.views.common import visible_contact


@staff_required
@require_POST
def email_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """Add an email to the contact (the first one is primary, as PowerSchool's does)."""
    contact = visible_contact(account, contact_id)
    form = EmailAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter an email address.")
    else:
        try:
            add_email(
                actor=account,
                contact=contact,
                address=form.cleaned_data["address"],
                is_primary=form.cleaned_data["is_primary"] or not contact.emails.exists(),
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Email added.")
    return redirect("staff:contact", contact_id=contact.pk)
