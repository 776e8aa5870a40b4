"""Keeping an account away from everything but the one thing it must do first (change a
temporary password, set up two-step sign-in), and the language of a signed-in person's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from tutela.accounts import two_step
from tutela.people.models import Language

# The only pages an account that must change its password may open.
ALLOWED_VIEWS = {"accounts:password-change", "accounts:sign-out", "accounts:set-language"}


class OnlyOnePageUntilMiddleware:
    """Send a signed-in account that has something to do first to the page where it does it,
    whatever else it asks: ``held_back`` says whether it must, ``allowed_views`` are the pages
    it may still open, ``page`` is where it goes."""

    allowed_views: frozenset[str] = frozenset()
    page = ""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def held_back(self, user: Any) -> bool:
        raise NotImplementedError

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.allowed_views:
            return None
        return redirect(self.page) if self.held_back(user) else None


class PasswordChangeRequiredMiddleware(OnlyOnePageUntilMiddleware):
    """Send an account whose password is temporary to the change-password page, whatever it asks.

    A temporary password was chosen by staff or is a district default, so others may know it;
    until it is changed, the account sees no student data at all.
    """

    allowed_views = frozenset(ALLOWED_VIEWS)
    page = "accounts:password-change"

    def held_back(self, user: Any) -> bool:
        return bool(user.must_change_password)


class TwoStepSetupRequiredMiddleware(OnlyOnePageUntilMiddleware):
    """Send staff who must use two-step sign-in (``TUTELA_STAFF_MFA=required``) and have not
    set it up to its page, whatever they ask: their password alone opens no staff page."""

    # The only pages staff who must set up two-step sign-in may open before they have.
    allowed_views = frozenset(ALLOWED_VIEWS | {"accounts:security"})
    page = "accounts:security"

    def held_back(self, user: Any) -> bool:
        return two_step.is_required(user) and not two_step.is_on(user)


def language_of(account: Any) -> str | None:
    """The language a signed-in person's pages are in, or ``None`` for the browser's.

    Staff and teachers (accounts without a contact) read English, as their screens are for now.
    A parent whose contact prefers another language than the default (English, which every
    contact has until someone says otherwise) reads it; with the default, the browser's
    language and the switch decide, so a Spanish browser still gets Spanish pages.
    """
    contact = getattr(account, "contact", None)
    if contact is None:
        return str(settings.LANGUAGE_CODE)
    chosen = contact.preferred_language
    return chosen if chosen and chosen != Language.ENGLISH else None


class AccountLanguageMiddleware:
    """A signed-in account's language wins over the browser's (after ``LocaleMiddleware``).

    A parent who chose Spanish once, on any device, gets Spanish everywhere they sign in; the
    language cookie follows their choice, so the sign-in page after signing out stays in it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        language = language_of(user)
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        signed_out = not getattr(request, "user", user).is_authenticated
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user.contact_id is not None and cookie != language and not signed_out:
            set_language_cookie(response, language)
        return response


SameSite = Literal["Lax", "Strict", "None", False] | None


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The language cookie, with the settings Django's own language switch uses."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
    )
