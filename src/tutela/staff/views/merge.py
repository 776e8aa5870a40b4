"""Fold a duplicate contact into the one that already holds the family's account."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.people.models import Contact
from tutela.people.services import ServiceError, check_merge, merge_contacts
from tutela.staff.forms import MergeForm
from tutela.staff.views.common import students_seen, visible_contact, with_students


def merge_refusal(account: Account, duplicate: Contact, target: Contact) -> str:
    """Why ``account`` may not fold ``duplicate`` into ``target`` (the service's rule), or ""."""
    try:
        check_merge(actor=account, duplicate=duplicate, into=target)
    except ServiceError as error:
        return str(error)
    return ""


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(
    request: HttpRequest, account: Account, contact_id: int, target_id: int
) -> HttpResponse:
    duplicate = visible_contact(account, contact_id)
    target = visible_contact(account, target_id)
    if target.pk == duplicate.pk:
        raise Http404("no such contact")
    form = MergeForm(request.POST or None)
    refused = merge_refusal(account, duplicate, target)
    if request.method == "POST" and not refused and form.is_valid():
        try:
            merge_contacts(
                actor=account,
                duplicate=duplicate,
                into=target,
                relationship_type=form.cleaned_data["relationship_type"] or None,
                allow_data_access=form.cleaned_data["allow_data_access"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"The students were attached to {target} and the duplicate removed."
            )
            return redirect("staff:contact", contact_id=target.pk)
    seen = students_seen(account, duplicate, target)
    shown = with_students(target, seen)
    return render(
        request,
        "staff/contact_merge.html",
        {
            **with_students(duplicate, seen),
            "target": target,
            "target_links": shown["links"],
            "target_hidden": shown["hidden"],
            "form": form,
            "refused": refused,
        },
    )
