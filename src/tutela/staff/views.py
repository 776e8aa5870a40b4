"""Staff screens: find a contact, see its details, create its account, fix duplicates.

Kept plain (a later issue builds the full staff console). Only enabled staff accounts reach
them; everything is read through the actor's ``Scope`` (``people.selectors``), so school staff
see only their schools' students and those students' contacts, and anything else answers 404.
Whether they may change a contact (its account, a merge) is the services' rule: a refusal
answers 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts import services as account_services
from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people.models import Contact
from tutela.people.selectors import contacts_visible_to, contacts_with_email
from tutela.people.services import (
    OutsideScope,
    ServiceError,
    add_email,
    check_merge,
    merge_contacts,
)
from tutela.staff.forms import AccountCreateForm, EmailAddForm, MergeForm, TemporaryPasswordForm


def sign_in(request: HttpRequest) -> HttpResponse:
    """Staff sign in on the same page as parents, then come back here."""
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': reverse('staff:home')})}")


def _contact(account: Account, contact_id: int) -> Contact:
    contact: Contact = get_object_or_404(contacts_visible_to(actor=account), pk=contact_id)
    return contact


def _seen(account: Account, *contacts: Contact) -> set[int]:
    """Which of these contacts' students ``account`` may see, in one query."""
    return Scope.of(account).students_among(
        link.student_id for contact in contacts for link in contact.student_links.all()
    )


def _students(contact: Contact, seen: set[int]) -> dict[str, Any]:
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


@staff_required
def contact_detail(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = _contact(account, contact_id)
    portal_account = Account.objects.filter(contact=contact).first()
    return render(
        request,
        "staff/contact_detail.html",
        {
            **_students(contact, _seen(account, contact)),
            "emails": list(contact.emails.all()),
            "phones": list(contact.phones.select_related("phone", "phone_type")),
            "addresses": list(contact.addresses.select_related("address", "address_type")),
            "portal_account": portal_account,
            "password_form": TemporaryPasswordForm(),
            "email_form": EmailAddForm(),
        },
    )


@sensitive_post_parameters("temporary_password")
@staff_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = _contact(account, contact_id)
    form = AccountCreateForm(contact, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        temporary = data["method"] == "temporary-password"
        try:
            account_services.create_account(
                actor=account,
                contact=contact,
                username=data["username"] or None,
                email=data["email"],
                send_activation=not temporary,
                temporary_password=data["temporary_password"] if temporary else None,
            )
        except account_services.EmailInUse as error:
            return _in_use(request, account, contact, error.existing, data["email"])
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from None
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Account created; an activation link was emailed."
                if not temporary
                else "Account created with a temporary password.",
            )
            return redirect("staff:contact", contact_id=contact.pk)
    return render(request, "staff/account_create.html", {"contact": contact, "form": form})


def _merge_refusal(account: Account, duplicate: Contact, target: Contact) -> str:
    """Why ``account`` may not fold ``duplicate`` into ``target`` (the service's rule), or ""."""
    try:
        check_merge(actor=account, duplicate=duplicate, into=target)
    except ServiceError as error:
        return str(error)
    return ""


def _in_use(
    request: HttpRequest, account: Account, contact: Contact, existing: Account, address: str
) -> HttpResponse:
    """PowerSchool's fix: show who already owns the email, offer to attach the student there.

    The owner is named, with the merge, only when every one of its students is in the staff
    member's scope; another school's parent stays unnamed (a district admin can merge them).
    """
    owners = list(contacts_with_email(actor=account, address=address).exclude(pk=contact.pk))
    owner = next((c for c in owners if c.pk == existing.contact_id), None)
    seen = _seen(account, contact, *owners)
    return render(
        request,
        "staff/email_in_use.html",
        {
            **_students(contact, seen),
            "existing": existing if owner is not None else None,
            "owner": owner,
            "owners": [_students(c, seen) for c in owners],
            "refused": _merge_refusal(account, contact, owner) if owner is not None else "",
            "address": address,
            "form": MergeForm(),
            "error": account_services.EMAIL_IN_USE,
        },
        status=409,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(
    request: HttpRequest, account: Account, contact_id: int, target_id: int
) -> HttpResponse:
    duplicate = _contact(account, contact_id)
    target = _contact(account, target_id)
    if target.pk == duplicate.pk:
        raise Http404("no such contact")
    form = MergeForm(request.POST or None)
    refused = _merge_refusal(account, duplicate, target)
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
    seen = _seen(account, duplicate, target)
    shown = _students(target, seen)
    return render(
        request,
        "staff/contact_merge.html",
        {
            **_students(duplicate, seen),
            "target": target,
            "target_links": shown["links"],
            "target_hidden": shown["hidden"],
            "form": form,
            "refused": refused,
        },
    )


@sensitive_post_parameters("password")
@staff_required
@require_POST
def account_action(
    request: HttpRequest, account: Account, contact_id: int, action: str
) -> HttpResponse:
    """Send a new activation link, set a temporary password, enable or disable."""
    contact = _contact(account, contact_id)
    portal_account = get_object_or_404(Account, contact=contact)
    try:
        if action == "send-activation":
            account_services.send_activation(actor=account, account=portal_account)
            messages.success(request, "A new activation link was emailed; earlier links are void.")
        elif action == "disable":
            account_services.disable_account(actor=account, account=portal_account)
            messages.success(request, "Account disabled.")
        elif action == "enable":
            account_services.enable_account(actor=account, account=portal_account)
            messages.success(request, "Account enabled.")
        elif action == "temporary-password":
            form = TemporaryPasswordForm(request.POST)
            if not form.is_valid():
                raise ServiceError("enter a temporary password")
            account_services.set_temporary_password(
                actor=account, account=portal_account, password=form.cleaned_data["password"]
            )
            messages.success(request, "Temporary password set; it must be changed at sign-in.")
        else:
            raise Http404("no such action")
    except OutsideScope as error:
        raise PermissionDenied(str(error)) from None
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("staff:contact", contact_id=contact.pk)


@staff_required
@require_POST
def email_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """Add an email to the contact (the first one is primary, as PowerSchool's does)."""
    contact = _contact(account, contact_id)
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
