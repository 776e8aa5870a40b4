"""The access-code pages: self-registration, Add Child, code downloads, and the restricted queue.

Thin adapters over ``services`` and ``selectors``. A code is never put in a URL (but the QR
code of its own letter, which opens registration with it filled in), a message or a log; the
fields that carry one are marked sensitive so Django's error reports hide them. A school,
section, student or queue entry the person may not see answers 404, exactly like one that does
not exist.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accesscodes import selectors
from tutela.accesscodes.forms import (
    AddChildForm,
    ChoosePasswordForm,
    DecisionForm,
    RegistrationForm,
    ResetManyForm,
    ResetStudentForm,
)
from tutela.accesscodes.models import PendingLink
from tutela.accesscodes.services import issuing, linking, redemption, registration
from tutela.accesscodes.services.restricted_queue import approve_link, deny_link
from tutela.accounts.access import code_distributor_required, parent_required, staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.signals import client_ip
from tutela.core.spreadsheets import csv_writer
from tutela.people.models import School
from tutela.people.services import ServiceError
from tutela.sections.models import Section

SIGN_IN_BACKEND = "tutela.accounts.backends.UsernameOrEmailBackend"


def _link_for(token: str) -> str:
    """The emailed link, on the district's own address (never the request's Host header)."""
    return settings.TUTELA_BASE_URL + reverse("accesscodes:register-confirm", args=[token])


# --- parents -----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1: a code, a name and an email; the email receives the link to step 2.

    The QR code of an access-code letter opens this page with ``?code=`` so the code is
    filled in: the one URL that carries a code, and only the code that is on the paper in the
    parent's hand. Nothing is checked or counted until the form is sent.
    """
    if not settings.ACCESS_CODES_ENABLED:
        raise Http404("access codes are off")
    printed = request.GET.get("code", "")[:32]
    form = RegistrationForm(request.POST or None, initial={"code": printed} if printed else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration.request_registration(
                entry=data["code"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                remote_address=client_ip(request),
                link_for=_link_for,
            )
        except redemption.CodeRefused as error:
            form.add_error(None, str(error))
            return render(request, "accesscodes/register.html", {"form": form}, status=429)
        except (redemption.AccessCodeError, ServiceError) as error:
            form.add_error(
                "code" if isinstance(error, redemption.AccessCodeError) else None, str(error)
            )
        else:
            return render(request, "accesscodes/register_sent.html", {"email": data["email"]})
    return render(request, "accesscodes/register.html", {"form": form})


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2, behind the emailed link: choose a password; the account is made and signed in.

    Opening the link (GET) changes nothing: mail scanners open links too.
    """
    pending = registration.pending_registration(token)
    if pending is None:
        return render(request, "accounts/link_invalid.html", status=410)
    form = ChoosePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = registration.register_with_code(
                token=token, password=form.cleaned_data["password"]
            )
        except (redemption.AccessCodeError, ServiceError) as error:
            form.add_error("password", str(error))
        else:
            login(request, done.account, backend=SIGN_IN_BACKEND)
            _outcome_message(request, done.outcome)
            return redirect("portal:home")
    return render(
        request,
        "accesscodes/register_confirm.html",
        {"form": form, "username": pending.email.lower()},
    )


def _outcome_message(request: HttpRequest, outcome: linking.LinkOutcome) -> None:
    if outcome.is_pending:
        messages.info(
            request,
            _(
                "Thank you. The school needs to confirm this link before the student appears "
                "on your account; you will get an email when it has."
            ),
        )
    else:
        messages.success(
            request,
            _("%(name)s has been added to your account.") % {"name": outcome.student.first_name},
        )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@parent_required
def add_child(request: HttpRequest, account: Account) -> HttpResponse:
    """A signed-in parent adds another student with that student's code."""
    if not settings.ACCESS_CODES_ENABLED:
        raise Http404("access codes are off")
    form = AddChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = linking.add_child(
                actor=account, entry=form.cleaned_data["code"], remote_address=client_ip(request)
            )
        except redemption.CodeRefused as error:
            form.add_error("code", str(error))
            return render(request, "accesscodes/add_child.html", {"form": form}, status=429)
        except (redemption.AccessCodeError, ServiceError) as error:
            form.add_error("code", str(error))
        else:
            _outcome_message(request, outcome)
            return redirect("portal:home")
    return render(request, "accesscodes/add_child.html", {"form": form})


# --- staff and teachers ---------------------------------------------------------------------


@code_distributor_required
def codes_home(request: HttpRequest, account: Account) -> HttpResponse:
    """What this person may download: the district, their schools, their sections."""
    scope = Scope.of(account)
    return render(
        request,
        "accesscodes/codes_home.html",
        {
            "whole_district": scope.district_wide,
            "schools": selectors.schools_visible_to(actor=account),
            "sections": scope.sections().select_related("school"),
            "may_reset": scope.district_wide or scope.staff,
            "reset_form": ResetStudentForm(),
            "reset_many_form": ResetManyForm(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[selectors.CodeRow]) -> Iterator[str]:
    writer = csv_writer(_Echo())
    yield writer.writerow(selectors.EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow(row.cells())


@never_cache
@code_distributor_required
def codes_download(request: HttpRequest, account: Account) -> StreamingHttpResponse:
    """The distribution CSV (``?school=N`` or ``?section=ID``; neither: all this person may)."""
    school: School | None = None
    section: Section | None = None
    section_id, school_number = request.GET.get("section", ""), request.GET.get("school", "")
    if "\x00" in section_id + school_number:  # PostgreSQL refuses NUL in text: no such thing
        raise Http404("no such school or section")
    try:
        if section_id:
            section = selectors.section_visible_to(actor=account, section_id=section_id)
        elif school_number:
            school = selectors.school_visible_to(actor=account, school_number=school_number)
        students = selectors.students_for_codes(actor=account, school=school, section=section)
    except selectors.NotVisible:
        raise Http404("no such school or section") from None
    name = (
        f"access-codes-section-{section.section_id}"
        if section
        else f"access-codes-school-{school.school_number}"
        if school
        else "access-codes"
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    response = StreamingHttpResponse(
        _csv_lines(selectors.code_rows(students)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return response


@require_POST
@code_distributor_required
def codes_reset(request: HttpRequest, account: Account) -> HttpResponse:
    """Staff replace one student's code; the old one stops working at once."""
    form = ResetStudentForm(request.POST)
    if not form.is_valid():
        raise Http404("no such student")
    try:
        student = selectors.student_in_scope(
            actor=account, student_number=form.cleaned_data["student_number"]
        )
    except selectors.NotVisible:
        raise Http404("no such student") from None
    issuing.reset_codes(actor=account, student=student)
    messages.success(
        request,
        f"The access code of {student.first_name} {student.last_name} ({student.student_number}) "
        "has been reset; download the new one below.",
    )
    return redirect("accesscodes:codes")


@require_POST
@code_distributor_required
def codes_reset_all(request: HttpRequest, account: Account) -> HttpResponse:
    """Staff replace every code of one of their schools, or district admins every code of the
    district; the old codes stop working at once."""
    scope = Scope.of(account)
    form = ResetManyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm: every one of these codes stops working.")
        return redirect("accesscodes:codes")
    number = form.cleaned_data["school"].strip()
    school: School | None = None
    if number:
        if not scope.staff:
            raise Http404("no such school")
        try:
            school = selectors.school_visible_to(actor=account, school_number=number)
        except selectors.NotVisible:
            raise Http404("no such school") from None
    elif not scope.district_wide:
        raise PermissionDenied("district admins only")
    count = issuing.reset_codes(actor=account, school=school)
    where = f"{school} ({school.school_number})" if school else "the district"
    messages.success(
        request,
        f"{count} access code(s) of {where} have been reset; the old codes no longer work. "
        "Download the new ones below.",
    )
    return redirect("accesscodes:codes")


@staff_required
def restricted_queue(request: HttpRequest, account: Account) -> HttpResponse:
    """The links waiting for a school admin because the student's record is restricted."""
    pending = selectors.pending_links_visible_to(actor=account)
    return render(
        request, "accesscodes/restricted_queue.html", {"pending": pending, "form": DecisionForm()}
    )


@require_POST
@staff_required
def restricted_decide(
    request: HttpRequest, account: Account, pending_id: int, decision: str
) -> HttpResponse:
    if decision not in {"approve", "deny"}:
        raise Http404("no such decision")
    pending: PendingLink | None = (
        selectors.pending_links_visible_to(actor=account).filter(pk=pending_id).first()
    )
    if pending is None:
        raise Http404("no such request")
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "approve":
            approve_link(actor=account, pending=pending, note=note)
            messages.success(request, f"Approved: {pending.contact} can now see {pending.student}.")
        else:
            deny_link(actor=account, pending=pending, note=note)
            messages.success(
                request, f"Denied: {pending.contact} was not linked to {pending.student}."
            )
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("accesscodes:restricted")
