"""The contact card: everything recorded about one contact, as PowerSchool's shows it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.staff.forms import EmailAddForm, TemporaryPasswordForm
from tutela.staff.views.common import students_seen, visible_contact, with_students


@staff_required
def contact_detail(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    portal_account = Account.objects.filter(contact=contact).first()
    return render(
        request,
        "staff/contact_detail.html",
        {
            **with_students(contact, students_seen(account, contact)),
            "emails": list(contact.emails.all()),
            "phones": list(contact.phones.select_related("phone", "phone_type")),
            "addresses": list(contact.addresses.select_related("address", "address_type")),
            "portal_account": portal_account,
            "password_form": TemporaryPasswordForm(),
            "email_form": EmailAddForm(),
        },
    )
