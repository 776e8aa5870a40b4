"""Sign-in, sign-out, first sign-in (activation), password change and reset pages."""

from __future__ import annotations

import datetime
import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from tutela.accounts import email_change, services, two_step
from tutela.accounts.backends import find_account, lockout_username
from tutela.accounts.forms import (
    ChangePasswordForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
    TwoStepCodeForm,
)
from tutela.accounts.jobs import queue_password_reset
from tutela.accounts.models import Account, SecurityEvent, SecurityEventKind, TokenPurpose
from tutela.accounts.scopes import Scope
from tutela.accounts.signals import client_ip
from tutela.people.models import Language
from tutela.people.services import set_preferred_language


def failure_delay(*, identifier: str, ip: str | None) -> float:
    """Seconds to hold a failed sign-in: longer with each recent failure for the account or
    the address, so guessing slows down well before django-axes locks the account."""
    step = settings.TUTELA_SIGN_IN_SLOWDOWN_SECONDS
    if step <= 0:
        return 0.0
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    account = find_account(identifier)
    who = Q(ip_address=ip) if ip else Q(pk__in=[])
    if account is not None:
        who |= Q(account=account)
    failures = SecurityEvent.objects.filter(
        who, kind=SecurityEventKind.SIGN_IN_FAILED, at__gte=since
    ).count()
    return float(min(step * max(failures - 1, 0), MAX_FAILURE_DELAY))


MAX_FAILURE_DELAY = 5.0


def _hold_failure(request: HttpRequest, identifier: str) -> None:
    delay = failure_delay(identifier=identifier, ip=client_ip(request))
    if delay:
        time.sleep(delay)


# The account whose password was right, waiting for its code (two-step sign-in).
PENDING = "tutela_two_step"
PENDING_SECONDS = 300


class SignInView(LoginView):
    """One sign-in page for parents and staff; each lands on their own home. An account with
    two-step sign-in is not signed in yet after its password: the code page comes first."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        account = form.get_user()
        if not two_step.is_on(account):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "account": account.pk,
            "backend": account.backend,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("accounts:sign-in-code")

    def form_invalid(self, form: Any) -> HttpResponse:
        _hold_failure(self.request, str(form.data.get("username", "")))
        return super().form_invalid(form)


def _pending_account(request: HttpRequest) -> tuple[Account, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    account = Account.objects.filter(pk=pending["account"], is_active=True).first()
    return (account, pending) if account is not None else None


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the app's code or a recovery code. Each wrong code counts towards the
    lockout as a wrong password does, so the password alone buys no extra guesses."""
    found = _pending_account(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Sign in again: the code was not entered in time."))
        return redirect("accounts:sign-in")
    account, pending = found
    form = TwoStepCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": account.username}
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(PENDING, None)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            return render(request, "accounts/locked_out.html", status=429)
        ip = client_ip(request)
        if two_step.check_code(account=account, code=form.cleaned_data["code"], ip=ip):
            request.session.pop(PENDING, None)
            login(request, account, backend=pending["backend"])
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = ""
            return redirect(target or resolve_url(settings.LOGIN_REDIRECT_URL))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return render(request, "accounts/locked_out.html", status=429)
        _hold_failure(request, account.username)
        form.add_error("code", two_step.WRONG_CODE)
    return render(request, "accounts/sign_in_code.html", {"form": form})


@never_cache
@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Two-step sign-in for one's own account: set it up (a QR code and the secret, then a
    code to confirm), new recovery codes, or turn it off. Recovery codes are shown once, in
    the answer to the step that made them."""
    account = request.user
    assert isinstance(account, Account)
    ip = client_ip(request)
    action = request.POST.get("action", "")
    form = TwoStepCodeForm(request.POST if action in {"confirm", "off"} else None)
    codes: list[str] = []
    if request.method == "POST":
        try:
            if action == "start":
                two_step.start_two_step(actor=account, account=account)
                return redirect("accounts:security")
            if action == "recovery":
                codes = two_step.replace_recovery_codes(actor=account, account=account, ip=ip)
            elif action in {"confirm", "off"} and form.is_valid():
                code = form.cleaned_data["code"]
                if action == "confirm":
                    codes = two_step.confirm_two_step(
                        actor=account, account=account, code=code, ip=ip
                    )
                    messages.success(request, _("Two-step sign-in is on."))
                else:
                    two_step.turn_off_two_step(actor=account, account=account, code=code, ip=ip)
                    messages.success(request, _("Two-step sign-in is off."))
                    return redirect("accounts:security")
        except services.AccountError as error:
            if form.is_bound:
                form.add_error("code", str(error))
            else:
                messages.error(request, str(error))
    pending = None if codes else two_step.pending_app(account)
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "codes": codes,
            "on": two_step.is_on(account),
            "offered": two_step.is_offered(account),
            "required": two_step.is_required(account),
            "pending": pending,
            "secret": two_step.secret_of(pending) if pending else "",
            "qr": two_step.qr_svg(pending) if pending else "",
            "codes_left": two_step.recovery_codes_left(account),
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    """``/``: parents go to the portal, staff to the staff screens, teachers (accounts named on
    class sections, without a contact) to their sections' access codes, others to sign-in."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:sign-in")
    scope = Scope.of(user)
    if scope.staff:
        return redirect("staff:home")
    if getattr(user, "contact_id", None) is None and scope.sections().exists():
        return redirect("accesscodes:codes")
    return redirect("portal:home")


@never_cache
@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    account = request.user
    assert isinstance(account, Account)
    form = ChangePasswordForm(account, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                account=account,
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except services.AccountError as error:
            form.add_error("new_password1", str(error))
        else:
            # The right current password clears the guesses counted, as a sign-in does.
            reset_lockout(username=lockout_username(None, {"username": account.username}))
            update_session_auth_hash(request, account)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": account.must_change_password},
    )


def _choose_password(
    request: HttpRequest, token: str, purpose: TokenPurpose, template: str
) -> HttpResponse:
    """The page behind an emailed link. Opening it (GET) never uses the link up: mail
    scanners open links too. Only submitting a good password does."""
    try:
        account = services.link_account(token=token, purpose=purpose)
    except services.InvalidLink:
        return render(request, "accounts/link_invalid.html", status=410)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        use = (
            services.activate_account
            if purpose == TokenPurpose.ACTIVATION
            else services.reset_password
        )
        try:
            use(token=token, password=form.cleaned_data["new_password1"], ip=client_ip(request))
        except services.InvalidLink:
            return render(request, "accounts/link_invalid.html", status=410)
        except services.AccountError as error:
            form.add_error("new_password1", str(error))
        else:
            messages.success(request, _("Your password is set. You can sign in now."))
            return redirect("accounts:sign-in")
    return render(request, template, {"form": form, "username": account.username})


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    return _choose_password(request, token, TokenPurpose.ACTIVATION, "accounts/activate.html")


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _choose_password(
        request, token, TokenPurpose.PASSWORD_RESET, "accounts/password_reset_confirm.html"
    )


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        queue_password_reset(identifier=form.cleaned_data["identifier"], ip=client_ip(request))
        return redirect("accounts:password-reset-sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link a parent's new email address received. Opening it (GET) changes nothing, as
    mail scanners open links too; the button does. It works without signing in: holding the
    link is the proof that the address is the parent's."""
    try:
        account, new_email = email_change.email_change_of(token=token)
        if request.method == "POST":
            account = email_change.confirm_email_change(token=token, ip=client_ip(request))
    except services.InvalidLink:
        return render(request, "accounts/link_invalid.html", status=410)
    except services.AccountError as error:
        return render(
            request, "accounts/email_change_confirm.html", {"error": str(error)}, status=409
        )
    if request.method == "POST":
        messages.success(
            request, _("Your account email is now %(email)s.") % {"email": account.email}
        )
        signed_in = request.user.is_authenticated and request.user.pk == account.pk
        return redirect("portal:my-details" if signed_in else "accounts:sign-in")
    return render(
        request,
        "accounts/email_change_confirm.html",
        {"username": account.username, "new_email": new_email},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch on every page: Django's own (the cookie, back to the page it was
    on), and for a signed-in parent their contact's preferred language too, so their pages,
    letters and emails follow the choice on every device."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    account = request.user
    if (
        isinstance(account, Account)
        and account.contact is not None
        and language in Language.values
        and account.contact.preferred_language != language
    ):
        set_preferred_language(actor=account, contact=account.contact, language=language)
    return response
