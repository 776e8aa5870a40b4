"""The student page: the student's contacts in the order the school calls them, each link's
flags, adding a contact, the access code, and who sees the student in the portal and why."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accesscodes import selectors as code_selectors
from tutela.accesscodes.services import issuing
from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.selectors import portal_viewers
from tutela.people import selectors
from tutela.people.models import Student
from tutela.people.search import search_contacts
from tutela.people.selectors import student_visible_to
from tutela.people.services import attach_student, move_link
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
            "viewers": portal_viewers(student=student),
            "manages": manages,
            "codes_enabled": settings.ACCESS_CODES_ENABLED,
            "code": code,
            "code_usable": code is not None and code.is_usable(timezone.now()),
        },
    )


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
