"""The student page: the student's contacts in the order the school calls them, each link's
flags, adding a contact, the access code, who sees the student in the portal and why, and the
age-18 hand-over (the dependent or consent record that keeps the parents' access)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accesscodes import selectors as code_selectors
from tutela.accesscodes.services import issuing
from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people import selectors
from tutela.people.models import Student
from tutela.people.search import search_contacts
from tutela.people.selectors import student_visible_to
from tutela.people.services import attach_student, move_link
from tutela.privacy.majority import birthday_at, exception_for, record_majority_exception
from tutela.privacy.models import MajorityExceptionKind
from tutela.privacy.whosees import targets_of_student, who_sees
from tutela.staff.contact_forms import LinkDetailForm
from tutela.staff.views.common import changed, saved, students_seen, with_students

# The picker offers this many of the matches; the staff search lists them all.
ATTACH_CHOICES = 100


def _student(account: Account, student_id: int) -> Student:
    student = student_visible_to(actor=account, student_id=student_id)
    if student is None:
        raise Http404("no such student")
    return student


def _contacts(student: Student) -> list[dict[str, Any]]:
    """The student's links in priority order, each with its detail in force and what a
    parent would be surprised by (a grant nobody can sign in to use)."""
    rows = []
    for link in student.contact_links.all():
        account = getattr(link.contact, "account", None)
        grants = link.grants_access()
        rows.append(
            {
                "link": link,
                "contact": link.contact,
                "detail": link.active_detail(),
                "account": account,
                "grants": grants,
                "warning": (
                    "granted data access but has no account: cannot sign in to see it"
                    if grants and account is None
                    else ""
                ),
            }
        )
    return rows


@staff_required
def student_detail(request: HttpRequest, account: Account, student_id: int) -> HttpResponse:
    student = _student(account, student_id)
    scope = Scope.of(account)
    manages = scope.covers_school(student.school_id)
    code = code_selectors.current_code(actor=account, student=student)
    return render(
        request,
        "staff/student_detail.html",
        {
            "student": student,
            "contacts": _contacts(student),
            "viewers": who_sees(student=student),
            "sync_targets": targets_of_student(student=student),
            "majority": _majority(student),
            "keep_form": KeepAccessForm(),
            "manages": manages,
            "codes_enabled": settings.ACCESS_CODES_ENABLED,
            "code": code,
            "code_usable": code is not None and code.is_usable(timezone.now()),
        },
    )


class KeepAccessForm(forms.Form):
    """A dependent or consent record: the parents keep their access past the 18th birthday."""

    kind = forms.ChoiceField(label="Keeps access because", choices=MajorityExceptionKind.choices)
    until = forms.DateField(
        label="Until (last day; required for a dependent)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label="Note", required=False, max_length=500)


def _majority(student: Student) -> dict[str, Any]:
    """The student's age-18 state: the birthday, the hand-over if done, the record that
    keeps the parents' access if one holds on the birthday (or today, after it)."""
    if student.date_of_birth is None:
        return {"birthday": None}
    birthday = birthday_at(student.date_of_birth)
    day = max(birthday, datetime.date.today())
    return {
        "birthday": birthday,
        "handover": getattr(student, "majority_handover", None),
        "kept_by": exception_for(student, day),
        "records": list(student.majority_exceptions.all()),
    }


@staff_required
@require_POST
def student_keep_access(request: HttpRequest, account: Account, student_id: int) -> HttpResponse:
    """Record that the student's parents keep their access past 18 (dependent or consent)."""
    student = _student(account, student_id)
    form = KeepAccessForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changed(
            request,
            "Recorded: the parents keep their access past 18.",
            lambda: record_majority_exception(
                actor=account,
                student=student,
                kind=data["kind"],
                until=data["until"],
                note=data["note"],
            ),
        )
    else:
        problems = "; ".join(
            f"{form[name].label}: {' '.join(str(m) for m in e)}" for name, e in form.errors.items()
        )
        messages.error(request, problems)
    return redirect("staff:student", student_id=student.pk)


@staff_required
@require_POST
def student_contact_move(
    request: HttpRequest, account: Account, student_id: int, link_id: int
) -> HttpResponse:
    """Move a contact up or down the student's list (PowerSchool's contact priority)."""
    student = _student(account, student_id)
    link = next((row for row in student.contact_links.all() if row.pk == link_id), None)
    if link is None:
        raise Http404("no such contact of this student")
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        raise Http404("no such direction")
    changed(
        request,
        f"{link.contact} moved {request.POST['direction']}.",
        lambda: move_link(actor=account, link=link, position=link.contact_priority_order + step),
    )
    return redirect("staff:student", student_id=student.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def student_attach(request: HttpRequest, account: Account, student_id: int) -> HttpResponse:
    """Add an existing contact to the student: find them, then choose the link's rights."""
    student = _student(account, student_id)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()
    linked = {link.contact_id for link in student.contact_links.all()}
    matches = search_contacts(actor=account, text=query).exclude(pk__in=linked)
    ordered = matches.order_by("last_name", "first_name", "id")
    found = list(selectors.with_students(ordered)[:ATTACH_CHOICES])
    seen = students_seen(account, *found)
    form = LinkDetailForm(request.POST or None, initial={"allow_data_access": True})
    if request.method == "POST" and form.is_valid():
        contact = next((c for c in found if str(c.pk) == request.POST.get("contact")), None)
        if contact is None:
            form.add_error(None, "Choose the contact to add.")
        elif saved(
            request,
            form,
            f"{contact} was added to {student.first_name} {student.last_name}.",
            lambda: attach_student(
                actor=account,
                contact=contact,
                student=student,
                rights=form.rights(),
                **form.dated(),
            ),
        ):
            return redirect("staff:student", student_id=student.pk)
    return render(
        request,
        "staff/student_attach.html",
        {
            "student": student,
            "query": query,
            "found": [with_students(c, seen) for c in found],
            "form": form,
        },
    )


@staff_required
@require_POST
def student_access_code(request: HttpRequest, account: Account, student_id: int) -> HttpResponse:
    """Reset the student's access code, or generate one when the student has none."""
    student = _student(account, student_id)
    try:
        student = code_selectors.student_in_scope(
            actor=account, student_number=student.student_number
        )
    except code_selectors.NotVisible:
        raise Http404("no such student") from None
    had = code_selectors.current_code(actor=account, student=student) is not None
    changed(
        request,
        "The access code was reset: the old one no longer works."
        if had
        else "An access code was generated.",
        lambda: issuing.reset_codes(actor=account, student=student),
    )
    return redirect("staff:student", student_id=student.pk)
