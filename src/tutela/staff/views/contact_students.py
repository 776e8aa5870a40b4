"""The contact card's Students: Add Students, and the pencil on each row (edit the link's
detail in force, add a new dated detail, end one, the restricted flag, remove the link)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people.models import StudentContactDetail
from tutela.people.selectors import students_to_attach
from tutela.people.services import (
    add_link_detail,
    attach_student,
    end_link_detail,
    lift_restriction,
    remove_link,
    restrict_link,
    update_link_detail,
)
from tutela.staff.contact_forms import (
    AddStudentForm,
    EndDetailForm,
    LiftRestrictionForm,
    LinkDetailForm,
    NewDetailForm,
    RestrictedForm,
)
from tutela.staff.views.common import changed, saved, visible_contact, visible_link


@staff_required
@require_http_methods(["GET", "POST"])
def students_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """PowerSchool's Add Students: find a student of one's schools by number or name, then
    link them with a relationship and the link's rights (data access included)."""
    contact = visible_contact(account, contact_id)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()
    found = students_to_attach(actor=account, query=query)
    form = AddStudentForm(found, request.POST or None, initial={"allow_data_access": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = next(s for s in found if s.pk == data["student"])
        if saved(
            request,
            form,
            f"{student.first_name} {student.last_name} was added to {contact}.",
            lambda: attach_student(
                actor=account,
                contact=contact,
                student=student,
                contact_priority_order=data["contact_priority_order"],
                rights=form.rights(),
                **form.dated(),
            ),
        ):
            return redirect("staff:contact", contact_id=contact.pk)
    return render(
        request,
        "staff/students_add.html",
        {"contact": contact, "query": query, "found": found, "form": form},
    )


def _detail(link_details: list[StudentContactDetail], detail_id: int) -> StudentContactDetail:
    for detail in link_details:
        if detail.pk == detail_id:
            return detail
    raise Http404("no such detail")


@staff_required
@require_http_methods(["GET", "POST"])
def link_edit(
    request: HttpRequest, account: Account, contact_id: int, link_id: int
) -> HttpResponse:
    """The pencil: the link's details, the one in force editable, a new dated one, the
    restricted flag, and removing the link."""
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    details = list(link.details.select_related("relationship_type").order_by("start_date", "id"))
    active = link.active_detail()
    form = LinkDetailForm(request.POST or None, initial=LinkDetailForm.initial_for(active))
    if request.method == "POST" and form.is_valid():

        def save() -> None:
            if active is None:
                raise Http404("no detail to edit")
            update_link_detail(actor=account, detail=active, rights=form.rights(), **form.dated())

        if saved(request, form, "The student's details were saved.", save):
            return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)
    return render(
        request,
        "staff/link_edit.html",
        {
            "contact": contact,
            "link": link,
            "student": link.student,
            "details": details,
            "active": active,
            "form": form,
            "new_form": NewDetailForm(
                prefix="new",
                initial={
                    **LinkDetailForm.initial_for(active),
                    "start_date": datetime.date.today(),
                    "end_date": None,
                },
            ),
            "end_form": EndDetailForm(prefix="end", initial={"end_date": datetime.date.today()}),
            "restricted_form": RestrictedForm(prefix="restricted"),
            "lift_form": LiftRestrictionForm(prefix="lift"),
            "restrictions": list(link.restrictions.order_by("-restricted_at", "-id")),
            "may_restrict": Scope.of(account).covers_school(link.student.school_id),
        },
    )


@staff_required
@require_POST
def link_detail_add(
    request: HttpRequest, account: Account, contact_id: int, link_id: int
) -> HttpResponse:
    """A new dated detail: from its first day its facts hold; the earlier one ends the day
    before."""
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    form = NewDetailForm(request.POST, prefix="new")
    if not form.is_valid():
        messages.error(request, "Enter the day the new details start.")
    else:
        dated = form.dated()
        changed(
            request,
            f"New details from {dated['start_date']:%Y-%m-%d} were added.",
            lambda: add_link_detail(actor=account, link=link, rights=form.rights(), **dated),
        )
    return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)


@staff_required
@require_POST
def link_detail_end(
    request: HttpRequest, account: Account, contact_id: int, link_id: int, detail_id: int
) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    detail = _detail(list(link.details.all()), detail_id)
    form = EndDetailForm(request.POST, prefix="end")
    if not form.is_valid():
        messages.error(request, "Enter the day the details end.")
    else:
        end = form.cleaned_data["end_date"]
        changed(
            request,
            f"These details end on {end:%Y-%m-%d}.",
            lambda: end_link_detail(actor=account, detail=detail, end_date=end),
        )
    return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)


@staff_required
@require_POST
def link_restricted(
    request: HttpRequest, account: Account, contact_id: int, link_id: int
) -> HttpResponse:
    """Restrict the link (a court order, a custody agreement): the contact loses the student
    at once, everywhere."""
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    form = RestrictedForm(request.POST, prefix="restricted")
    if not form.is_valid():
        messages.error(request, "Choose what the restriction rests on.")
    else:
        data = form.cleaned_data
        changed(
            request,
            "The link is now restricted.",
            lambda: restrict_link(
                actor=account,
                link=link,
                kind=data["kind"],
                note=data["note"],
                document=data["document"],
            ),
        )
    return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)


@staff_required
@require_POST
def link_lift(
    request: HttpRequest, account: Account, contact_id: int, link_id: int
) -> HttpResponse:
    """Lift the link's restriction, saying why (a school or district admin)."""
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    form = LiftRestrictionForm(request.POST, prefix="lift")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    changed(
        request,
        "The restriction is lifted.",
        lambda: lift_restriction(actor=account, link=link, note=note),
    )
    return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)


@staff_required
@require_POST
def link_remove(
    request: HttpRequest, account: Account, contact_id: int, link_id: int
) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    link = visible_link(account, contact, link_id)
    student = link.student
    if changed(
        request,
        f"{contact} is no longer linked to {student.first_name} {student.last_name}.",
        lambda: remove_link(actor=account, link=link),
    ):
        return redirect("staff:contact", contact_id=contact.pk)
    return redirect("staff:link-edit", contact_id=contact.pk, link_id=link.pk)
