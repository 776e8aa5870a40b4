"""Possible duplicates: the pairs of contacts the duplicate search finds in the staff member's
scope, each pair side by side, merged (choosing the value kept where they differ) or set apart
as two people.

A school's staff see the pairs whose two contacts both touch their schools; a pair with a
contact they may not open answers 404, as the contact card does. Merging needs the whole of
both contacts in scope (``check_merge``): another school's child is never moved by a school's
staff, and the page says why instead of offering the form.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.duplicates import find_duplicates, pair_of
from tutela.people.models import Contact
from tutela.people.services import MERGE_FIELDS, mark_not_duplicates, merge_contacts
from tutela.staff.duplicate_forms import DuplicateMergeForm, field_label, shown
from tutela.staff.views.common import changed, students_seen, visible_contact, with_students
from tutela.staff.views.merge import merge_refusal

PER_PAGE = 50


@staff_required
def duplicate_list(request: HttpRequest, account: Account) -> HttpResponse:
    pairs = find_duplicates(actor=account)
    page = Paginator(pairs, PER_PAGE).get_page(request.GET.get("page"))
    names = {
        c.pk: c
        for c in Contact.objects.filter(
            pk__in={pk for pair in page.object_list for pk in (pair.a, pair.b)}
        )
    }
    rows = [
        {"pair": pair, "a": names[pair.a], "b": names[pair.b]}
        for pair in page.object_list
        if pair.a in names and pair.b in names
    ]
    return render(
        request, "staff/duplicates.html", {"rows": rows, "page": page, "total": len(pairs)}
    )


def _side(contact: Contact, seen: set[int]) -> dict[str, Any]:
    """Everything recorded about one contact of the pair, as the page shows it."""
    return {
        **with_students(contact, seen),
        "emails": list(contact.emails.select_related("email_type")),
        "phones": list(contact.phones.select_related("phone", "phone_type")),
        "addresses": list(
            contact.addresses.select_related("address__state", "address_type").order_by(
                "priority_order"
            )
        ),
        "account": Account.objects.filter(contact=contact).first(),
    }


def _pair(account: Account, a: int, b: int) -> tuple[Contact, Contact]:
    one, other = visible_contact(account, a), visible_contact(account, b)
    if one.pk == other.pk:
        raise Http404("no such pair")
    return one, other


@staff_required
@require_http_methods(["GET", "POST"])
def duplicate_pair(request: HttpRequest, account: Account, a: int, b: int) -> HttpResponse:
    one, other = _pair(account, a, b)
    form = DuplicateMergeForm(one, other, request.POST or None)
    refused = merge_refusal(account, other, one)
    if request.method == "POST" and not refused and form.is_valid():
        into, duplicate, take, keep = form.choices()
        if changed(
            request,
            f"{duplicate} #{duplicate.pk} was merged into {into} #{into.pk}.",
            lambda: merge_contacts(
                actor=account, duplicate=duplicate, into=into, take=take, keep_account=keep
            ),
            form,
        ):
            return redirect("staff:contact", contact_id=into.pk)
    seen = students_seen(account, one, other)
    fields = [
        {
            "label": field_label(name),
            "one": shown(getattr(one, name)),
            "other": shown(getattr(other, name)),
            "differs": name in form.differing,
        }
        for name in MERGE_FIELDS
    ]
    return render(
        request,
        "staff/duplicate_pair.html",
        {
            "one": _side(one, seen),
            "other": _side(other, seen),
            "fields": fields,
            "evidence": pair_of(actor=account, a=one.pk, b=other.pk),
            "form": form,
            "refused": refused,
        },
    )


@staff_required
@require_POST
def duplicate_not(request: HttpRequest, account: Account, a: int, b: int) -> HttpResponse:
    one, other = _pair(account, a, b)
    if changed(
        request,
        f"{one} #{one.pk} and {other} #{other.pk} are marked as two people: "
        "the pair will not be listed again.",
        lambda: mark_not_duplicates(actor=account, one=one, other=other),
    ):
        return redirect("staff:duplicates")
    return redirect("staff:duplicate-pair", a=one.pk, b=other.pk)
