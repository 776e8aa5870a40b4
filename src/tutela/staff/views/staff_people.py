"""Staff people: district admins add staff, give them a role and schools, disable them.

The same services as ``tutela staff`` (``accounts.staff_members``); only district admins reach
these pages, since a role decides who sees which children.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from tutela.accounts import services as account_services
from tutela.accounts import staff_members, two_step
from tutela.accounts.access import district_admin_required
from tutela.accounts.models import Account
from tutela.people.services import OutsideScope, ServiceError
from tutela.staff.account_forms import StaffAccessForm, StaffPersonForm
from tutela.staff.account_lists import PER_PAGE, StaffTable


@district_admin_required
def staff_list(request: HttpRequest, account: Account) -> HttpResponse:
    table = StaffTable(staff_members.staff_people())
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "staff/staff_people.html", {"table": table})


@district_admin_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest, account: Account) -> HttpResponse:
    form = StaffPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = staff_members.add_staff_person(
                actor=account,
                username=data["username"],
                email=data["email"],
                role=data["role"],
                schools=list(data["schools"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from None
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{added.username} added; an activation link was emailed to {added.email}."
            )
            return redirect("staff:staff-person", pk=added.pk)
    return render(request, "staff/staff_new.html", {"form": form})


def _person(pk: int) -> Account:
    found: Account = get_object_or_404(staff_members.staff_people(), pk=pk)
    return found


@district_admin_required
@require_http_methods(["GET", "POST"])
def staff_person(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """A staff person's page: their role and schools, which a district admin changes here."""
    person = _person(pk)
    role = staff_members.role_of(person)
    initial = {"role": role, "schools": list(person.schools.all())}
    form = StaffAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            staff_members.set_staff_access(
                actor=account,
                account=person,
                role=form.cleaned_data["role"],
                schools=list(form.cleaned_data["schools"]),
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{person.username}'s role and schools saved.")
            return redirect("staff:staff-person", pk=person.pk)
    return render(
        request,
        "staff/staff_person.html",
        {
            "person": person,
            "role": staff_members.ROLE_NAMES[role],
            "district_wide": role == staff_members.DISTRICT_ADMIN,
            "form": form,
            "two_step_on": two_step.is_on(person),
        },
    )


@district_admin_required
@require_POST
def staff_status(request: HttpRequest, account: Account, pk: int, action: str) -> HttpResponse:
    """Disable or enable a staff person, email them a new activation link, or reset their
    two-step sign-in (a lost phone)."""
    person = _person(pk)
    try:
        if action in ("enable", "disable"):
            enabled = action == "enable"
            staff_members.set_staff_enabled(actor=account, account=person, enabled=enabled)
            messages.success(request, f"{person.username} {'enabled' if enabled else 'disabled'}.")
        elif action == "send-activation":
            account_services.send_activation(actor=account, account=person)
            messages.success(request, "A new activation link was emailed; earlier links are void.")
        elif action == "reset-two-step":
            two_step.reset_two_step(actor=account, account=person)
            messages.success(request, f"{person.username} sets up two-step sign-in again.")
        else:
            raise Http404("no such action")
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("staff:staff-person", pk=person.pk)
