"""The contact card: everything recorded about one contact, as PowerSchool's shows it, its
names and codes, and a new contact (checked against the ones that already exist)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.selectors import granted_links
from tutela.people.models import Contact, Student
from tutela.people.selectors import duplicate_contacts, student_visible_to, students_to_attach
from tutela.people.services import create_contact_for_student, update_contact
from tutela.staff.contact_forms import ContactNamesForm, EmailForm, NewContactForm
from tutela.staff.forms import TemporaryPasswordForm
from tutela.staff.views.common import (
    edit_page,
    saved,
    students_seen,
    visible_contact,
    with_students,
)


def _phones(contact: Contact) -> list[dict[str, Any]]:
    """The contact's phones, each with how many other contacts share the number."""
    rows = list(
        contact.phones.select_related("phone", "phone_type").annotate(
            sharing=Count("phone__contact_links")
        )
    )
    return [{"row": row, "shared_with": row.sharing - 1} for row in rows]


def _warnings(contact: Contact, portal_account: Account | None, links: list[Any]) -> list[str]:
    """What would surprise the parent: an account that shows nobody, or a grant nobody can use."""
    if portal_account is not None and portal_account.is_active:
        if not granted_links(account=portal_account):
            return [
                f"{portal_account.username} can sign in but is granted no student: "
                "this parent will see no one."
            ]
        return []
    granted = [row["student"].first_name for row in links if row["link"].grants_access()]
    if granted and portal_account is None:
        return [
            f"{contact} is granted data access to {', '.join(granted)} but has no account: "
            "add one so they can sign in."
        ]
    if granted and portal_account is not None:
        return [f"{contact}'s account is disabled: they see nothing in the portal."]
    return []


@staff_required
def contact_detail(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = visible_contact(account, contact_id)
    portal_account = Account.objects.filter(contact=contact).first()
    students = with_students(contact, students_seen(account, contact))
    return render(
        request,
        "staff/contact_detail.html",
        {
            **students,
            "warnings": _warnings(contact, portal_account, students["links"]),
            "emails": list(contact.emails.select_related("email_type")),
            "phones": _phones(contact),
            "addresses": list(
                contact.addresses.select_related("address__state", "address_type").order_by(
                    "priority_order"
                )
            ),
            "portal_account": portal_account,
            "password_form": TemporaryPasswordForm(),
            "email_form": EmailForm(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contact_names(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """The card's names and codes."""
    contact = visible_contact(account, contact_id)
    form = ContactNamesForm(request.POST or None, initial=ContactNamesForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if saved(
            request,
            form,
            "Names and codes saved.",
            lambda: update_contact(
                actor=account,
                contact=contact,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                prefix=data["name_prefix"] or None,
                suffix=data["suffix"] or None,
                gender=data["gender"] or None,
                state_contact_id=data["state_contact_id"],
                employer=data["employer"],
                exclude_from_state_reporting=data["exclude_from_state_reporting"],
                is_active=data["is_active"],
            ),
        ):
            return redirect("staff:contact", contact_id=contact.pk)
    return edit_page(
        request,
        form=form,
        title=f"Names and codes of {contact}",
        back=reverse("staff:contact", args=[contact.pk]),
        back_label=str(contact),
        submit="Save names and codes",
    )


def _student_of(request: HttpRequest, account: Account) -> Student | None:
    """The student a new contact is for (``?student=`` from the student page), if any."""
    raw = request.GET.get("student") or request.POST.get("student") or ""
    if not raw.isdigit():
        return None
    return student_visible_to(actor=account, student_id=int(raw))


@staff_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, account: Account) -> HttpResponse:
    """A new contact, after a look for the same person: a contact with the same email, or the
    same phone and last name, is offered first ("attach this one instead"); the button
    "Create a new contact anyway" goes ahead."""
    student = _student_of(request, account)
    form = NewContactForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if student is None and data["student_number"].strip():
            student = next(
                iter(students_to_attach(actor=account, query=data["student_number"])), None
            )
            if student is None or student.student_number != data["student_number"].strip():
                student = None
                form.add_error("student_number", "No student with this number at your schools.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = duplicate_contacts(
            actor=account, last_name=data["last_name"], email=data["email"], phone=data["phone"]
        )
        if (found.named or found.unnamed) and not request.POST.get("create_anyway"):
            duplicates = found
        else:
            created: list[Contact] = []
            if saved(
                request,
                form,
                "Contact created.",
                lambda: created.append(
                    create_contact_for_student(
                        actor=account,
                        student=student,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        phone=data["phone"],
                        relationship_type=data["relationship_type"] or None,
                        rights=form.rights(),
                    )
                ),
            ):
                return redirect("staff:contact", contact_id=created[0].pk)
    named = duplicates.named if duplicates else []
    seen = students_seen(account, *named)
    return render(
        request,
        "staff/contact_new.html",
        {
            "form": form,
            "student": student,
            "duplicates": duplicates,
            "rows": [with_students(contact, seen) for contact in named],
        },
    )
