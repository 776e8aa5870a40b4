"""What every staff screen needs: records in the actor's scope, and one way to run a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people.models import Contact, StudentContact
from tutela.people.selectors import contacts_visible_to
from tutela.people.services import OutsideScope, ServiceError


def visible_contact(account: Account, contact_id: int) -> Contact:
    """The contact ``account`` may open, or 404 (another school's family is not confirmed)."""
    contact: Contact = get_object_or_404(contacts_visible_to(actor=account), pk=contact_id)
    return contact


def students_seen(account: Account, *contacts: Contact) -> set[int]:
    """Which of these contacts' students ``account`` may see, in one query."""
    return Scope.of(account).students_among(
        link.student_id for contact in contacts for link in contact.student_links.all()
    )


def with_students(contact: Contact, seen: set[int]) -> dict[str, Any]:
    """A contact with its students in scope, and how many others it has, as pages show them.

    A contact in a school's scope may also be linked to children at other schools (a
    sibling): those children are another school's records, so school staff are only told how
    many there are (``hidden``).
    """
    links = list(contact.student_links.all())
    return {
        "contact": contact,
        "links": [
            {"link": link, "student": link.student, "detail": link.active_detail()}
            for link in links
            if link.student_id in seen
        ],
        "hidden": sum(link.student_id not in seen for link in links),
    }


def visible_link(account: Account, contact: Contact, link_id: int) -> StudentContact:
    """One of ``contact``'s student links whose student ``account`` may see, or 404 (another
    school's child is that school's record, not even confirmed to exist)."""
    link: StudentContact = get_object_or_404(
        StudentContact.objects.select_related("student__school", "contact"),
        contact=contact,
        pk=link_id,
    )
    if not students_seen(account, contact) >= {link.student_id}:
        raise Http404("no such student link")
    return link


def changed(
    request: HttpRequest, done: str, change: Callable[[], object], form: Form | None = None
) -> bool:
    """Run one service call: ``done`` becomes the flash message, and a refusal is shown on
    ``form`` beside what was typed (or flashed, for a button); reaching beyond the actor's
    scope answers 403."""
    try:
        change()
    except OutsideScope as error:
        raise PermissionDenied(str(error)) from None
    except ServiceError as error:
        if form is None:
            messages.error(request, str(error))
        else:
            form.add_error(None, str(error))
        return False
    messages.success(request, done)
    return True


def saved(request: HttpRequest, form: Form, done: str, change: Callable[[], object]) -> bool:
    """``changed`` for a form: a refusal is shown on the form."""
    return changed(request, done, change, form)


def edit_page(
    request: HttpRequest,
    *,
    form: Form,
    title: str,
    back: str,
    back_label: str,
    submit: str,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The one page every small edit of the card uses: a heading, the form, a way back."""
    return render(
        request,
        "staff/edit_form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "back_label": back_label,
            "submit": submit,
            **(extra or {}),
        },
        status=status,
    )
