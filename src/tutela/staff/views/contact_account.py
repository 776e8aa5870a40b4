"""The contact card's Web Account Access: create the portal account, then look after it."""

from __future__ import annotations

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
from tutela.people.models import Contact
from tutela.people.selectors import contacts_with_email
from tutela.people.services import OutsideScope, ServiceError
from tutela.staff.contact_forms import UsernameForm
from tutela.staff.forms import AccountCreateForm, MergeForm, TemporaryPasswordForm
from tutela.staff.views.common import (
    edit_page,
    saved,
    students_seen,
    visible_contact,
    with_students,
)
from tutela.staff.views.merge import merge_refusal


@sensitive_post_parameters("temporary_password")
@staff_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    contact = visible_contact(account, contact_id)
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


def _in_use(
    request: HttpRequest, account: Account, contact: Contact, existing: Account, address: str
) -> HttpResponse:
    """PowerSchool's fix: show who already owns the email, offer to attach the student there.

    The owner is named, with the merge, only when every one of its students is in the staff
    member's scope; another school's parent stays unnamed (a district admin can merge them).
    """
    owners = list(contacts_with_email(actor=account, address=address).exclude(pk=contact.pk))
    owner = next((c for c in owners if c.pk == existing.contact_id), None)
    seen = students_seen(account, contact, *owners)
    return render(
        request,
        "staff/email_in_use.html",
        {
            **with_students(contact, seen),
            "existing": existing if owner is not None else None,
            "owner": owner,
            "owners": [with_students(c, seen) for c in owners],
            "refused": merge_refusal(account, contact, owner) if owner is not None else "",
            "address": address,
            "form": MergeForm(),
            "error": account_services.EMAIL_IN_USE,
        },
        status=409,
    )


@sensitive_post_parameters("password")
@staff_required
@require_POST
def account_action(
    request: HttpRequest, account: Account, contact_id: int, action: str
) -> HttpResponse:
    """Send a new activation link, set a temporary password, enable or disable."""
    contact = visible_contact(account, contact_id)
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
@require_http_methods(["GET", "POST"])
def account_username(request: HttpRequest, account: Account, contact_id: int) -> HttpResponse:
    """Change the portal account's username (PowerSchool's "Username not available")."""
    contact = visible_contact(account, contact_id)
    portal_account = get_object_or_404(Account, contact=contact)
    form = UsernameForm(request.POST or None, initial={"username": portal_account.username})
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(
            request,
            form,
            "Username changed.",
            lambda: account_services.change_username(
                actor=account, account=portal_account, username=form.cleaned_data["username"]
            ),
        )
    ):
        return redirect("staff:contact", contact_id=contact.pk)
    return edit_page(
        request,
        form=form,
        title=f"Change the username of {portal_account.username}",
        back=reverse("staff:contact", args=[contact.pk]),
        back_label=str(contact),
        submit="Change username",
    )
