"""Staff screens: find a contact, see its details, create its account, fix duplicates.

Kept plain (a later issue builds the full staff console). Only enabled staff accounts reach
them; everything is read through ``staff.selectors`` so school staff see only their schools'
students and those students' contacts, and anything else answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts import services as account_services
from tutela.accounts.models import Account
from tutela.people.models import Contact
from tutela.people.services import ServiceError, add_email, merge_contacts
from tutela.staff.forms import AccountCreateForm, EmailAddForm, MergeForm, TemporaryPasswordForm
from tutela.staff.selectors import (
    contacts_in_scope,
    contacts_with_email,
    is_staff_member,
    school_ids_in_scope,
    search_contacts,
    with_students,
)

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous visitors go to sign-in; signed-in non-staff (parents) get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = request.user
        if not isinstance(account, Account) or not is_staff_member(account):
            raise PermissionDenied("staff only")
        return view(request, account, *args, **kwargs)

    return wrapper


def sign_in(request: HttpRequest) -> HttpResponse:
    """Staff sign in on the same page as parents, then come back here."""
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': reverse('staff:home')})}")


def _contact(account: Account, contact_id: int) -> Contact:
    contact: Contact = get_object_or_404(
        with_students(contacts_in_scope(account=account)), pk=contact_id
    )
    return contact


def _links(contact: Contact, schools: set[int] | None) -> list[dict[str, Any]]:
    """The contact's students at ``schools`` (every school when ``None``).

    A contact in a school's scope may also be linked to children at other schools (a sibling,
    or the owner of an email on the "already in use" page): those children are another
    school's records, so school staff are only told how many there are (``_hidden``).
    """
    return [
        {"link": link, "student": link.student, "detail": link.active_detail()}
        for link in contact.student_links.all()
        if schools is None or link.student.school_id in schools
    ]


def _hidden(contact: Contact, schools: set[int] | None) -> int:
    if schools is None:
        return 0
    return sum(link.student.school_id not in schools for link in contact.student_links.all())


def _students(contact: Contact, schools: set[int] | None) -> dict[str, Any]:
    """A contact with its students in scope and the count of the others, as pages show them."""
    return {
        "contact": contact,
        "links": _links(contact, schools),
        "hidden": _hidden(contact, schools),
    }


@staff_required
def contact_search(request: HttpRequest, account: Account) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    schools = school_ids_in_scope(account=account)
    results = [_students(c, schools) for c in search_contacts(account=account, query=query)]
    return render(request, "staff/contact_search.html", {"query": query, "results": results})


@staff_required
def contact_detail(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = _contact(account, contact_id)
    schools = school_ids_in_scope(account=account)
    portal_account = Account.objects.filter(contact=contact).first()
    return render(
        request,
        "staff/contact_detail.html",
        {
            **_students(contact, schools),
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


def _in_use(
    request: HttpRequest, account: Account, contact: Contact, existing: Account, address: str
) -> HttpResponse:
    """The seed's fix: show who already owns the email, offer to attach the student there.

    The owner may be another school's contact (the sibling is elsewhere): school staff see its
    name, and its students at their own schools only.
    """
    schools = school_ids_in_scope(account=account)
    owners = [
        _students(c, schools) for c in contacts_with_email(address=address).exclude(pk=contact.pk)
    ]
    return render(
        request,
        "staff/email_in_use.html",
        {
            **_students(contact, schools),
            "existing": existing,
            "owner": existing.contact,
            "owners": owners,
            "address": address,
            "form": MergeForm(),
            "error": account_services.EMAIL_IN_USE,
        },
        status=409,
    )


def _may_merge_into(account: Account, duplicate: Contact, target: Contact) -> bool:
    """Staff may fold a contact of theirs into one that shares an email, or one in their scope."""
    if contacts_in_scope(account=account).filter(pk=target.pk).exists():
        return True
    addresses = [e.address for e in duplicate.emails.all()]
    return any(target.emails.filter(address__iexact=a).exists() for a in addresses)


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(
    request: HttpRequest, account: Account, contact_id: int, target_id: int
) -> HttpResponse:
    duplicate = _contact(account, contact_id)
    target = get_object_or_404(with_students(Contact.objects.all()), pk=target_id)
    if target.pk == duplicate.pk or not _may_merge_into(account, duplicate, target):
        raise Http404("no such contact")
    schools = school_ids_in_scope(account=account)
    form = MergeForm(request.POST or None)
    # Merging moves every link of the duplicate, with the data access chosen here: school
    # staff would be handing another school's child to the target's family.
    refused = (
        f"{duplicate} also has students at another school: a district admin must merge "
        "these contacts."
        if _hidden(duplicate, schools)
        else ""
    )
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
    return render(
        request,
        "staff/contact_merge.html",
        {
            "contact": duplicate,
            "links": _links(duplicate, schools),
            "hidden": _hidden(duplicate, schools),
            "target": target,
            "target_links": _links(target, schools),
            "target_hidden": _hidden(target, schools),
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
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("staff:contact", contact_id=contact.pk)


@staff_required
@require_POST
def email_add(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """Add an email to the contact (the first one is primary, as the seed says)."""
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
