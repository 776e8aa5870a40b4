"""Find a contact by name or email (PowerSchool's "Contacts and Email" search)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.selectors import search_contacts
from tutela.staff.views.common import students_seen, with_students


@staff_required
def contact_search(request: HttpRequest, account: Account) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = search_contacts(actor=account, query=query)
    seen = students_seen(account, *found)
    results = [with_students(contact, seen) for contact in found]
    return render(request, "staff/contact_search.html", {"query": query, "results": results})
