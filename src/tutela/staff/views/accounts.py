"""Accounts, eSchoolPLUS's Logon IDs: the list and its search, New User, and Modify User (the
account's page: tie students by number, enable or disable, a new activation link).

School staff see the accounts of contacts linked to their students; everything else answers
404. Whether they may change an account (every child of its contact in their scope) is the
services' rule: a refusal answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from tutela.accounts import logon_ids, two_step
from tutela.accounts import services as account_services
from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.selectors import granted_links, parent_accounts_visible_to
from tutela.people.models import StudentContact
from tutela.people.services import OutsideScope, ServiceError
from tutela.staff.account_forms import NewUserForm, StudentTieForm
from tutela.staff.account_lists import PER_PAGE, AccountFilter, AccountTable


def _students_by_contact(actor: Account, contact_ids: list[int]) -> dict[int, list[str]]:
    """The student numbers of these contacts' children in ``actor``'s scope, in two queries."""
    links = list(
        StudentContact.objects.filter(contact_id__in=contact_ids)
        .order_by("student__student_number")
        .values_list("contact_id", "student_id", "student__student_number")
    )
    seen = Scope.of(actor).students_among(student for _, student, _ in links)
    found: dict[int, list[str]] = {}
    for contact_id, student_id, number in links:
        if student_id in seen:
            found.setdefault(contact_id, []).append(number)
    return found


@staff_required
def account_list(request: HttpRequest, account: Account) -> HttpResponse:
    """Every account in scope, searched and filtered, paginated and sortable, never cut."""
    found = AccountFilter(
        request.GET, queryset=parent_accounts_visible_to(actor=account), actor=account
    )
    table = AccountTable(found.qs, students={})
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    shown = [row.record.contact_id for row in table.paginated_rows]
    table.students_of = _students_by_contact(account, [c for c in shown if c is not None])
    return render(request, "staff/accounts.html", {"filter": found, "table": table})


def _visible_account(account: Account, pk: int) -> Account:
    found: Account = get_object_or_404(parent_accounts_visible_to(actor=account), pk=pk)
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest, account: Account) -> HttpResponse:
    """New User: the email is the logon id; then its page, to tie students."""
    if not Scope.of(account).is_school_staff:
        raise PermissionDenied("school and district admins only")
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = logon_ids.create_logon_id(
                actor=account,
                email=data["email"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                student_number=data["student_number"],
                relationship_type=data["relationship_type"] or None,
                allow_data_access=data["allow_data_access"],
            )
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from None
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Account {created.username} added.")
            return redirect("staff:account", pk=created.pk)
    return render(
        request,
        "staff/account_new.html",
        {"form": form, "district_wide": Scope.of(account).district_wide},
    )


def _page(
    request: HttpRequest, account: Account, shown: Account, form: StudentTieForm
) -> HttpResponse:
    contact = shown.contact
    assert contact is not None
    links = list(
        contact.student_links.select_related("student__school").prefetch_related(
            "details__relationship_type"
        )
    )
    seen = Scope.of(account).students_among(link.student_id for link in links)
    granted = {link.pk for link in granted_links(account=shown)}
    return render(
        request,
        "staff/account_detail.html",
        {
            "shown": shown,
            "contact": contact,
            "links": [
                {"link": link, "detail": link.active_detail(), "granted": link.pk in granted}
                for link in links
                if link.student_id in seen
            ],
            "hidden": sum(link.student_id not in seen for link in links),
            "sees_no_one": not granted,
            "form": form,
            "two_step_on": two_step.is_on(shown),
            "district_admin": Scope.of(account).is_district_admin,
        },
    )


@staff_required
def account_detail(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """Modify User: the account, its students, tie another, enable or disable."""
    return _page(request, account, _visible_account(account, pk), StudentTieForm())


@staff_required
@require_POST
def account_tie(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    shown = _visible_account(account, pk)
    form = StudentTieForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = logon_ids.tie_student(
                actor=account,
                account=shown,
                student_number=data["student_number"],
                relationship_type=data["relationship_type"] or None,
                allow_data_access=data["allow_data_access"],
            )
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from None
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{link.student} tied to {shown.username}.")
            return redirect("staff:account", pk=shown.pk)
    return _page(request, account, shown, form)


@staff_required
@require_POST
def account_status(request: HttpRequest, account: Account, pk: int, action: str) -> HttpResponse:
    """Enable, disable, email a new activation link, or (district admins) reset two-step
    sign-in."""
    shown = _visible_account(account, pk)
    try:
        if action == "enable":
            account_services.enable_account(actor=account, account=shown)
            messages.success(request, "Account enabled.")
        elif action == "disable":
            account_services.disable_account(actor=account, account=shown)
            messages.success(request, "Account disabled: it cannot sign in.")
        elif action == "send-activation":
            account_services.send_activation(actor=account, account=shown)
            messages.success(request, "A new activation link was emailed; earlier links are void.")
        elif action == "reset-two-step":
            two_step.reset_two_step(actor=account, account=shown)
            messages.success(request, "Two-step sign-in reset: the next sign-in asks no code.")
        else:
            raise Http404("no such action")
    except OutsideScope as error:
        raise PermissionDenied(str(error)) from None
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("staff:account", pk=shown.pk)
