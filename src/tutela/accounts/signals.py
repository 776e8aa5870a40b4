"""Security events for sign-ins, failures, lockouts and sign-outs.

Django and django-axes announce these with signals; there is no service call to hang them on.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tutela.accounts.models import Account, SecurityEventKind


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the connection's, or what a trusted proxy said it is
    (``tutela.web.middleware.TrustedProxyMiddleware``). Lockout, access-code limits and the
    audit all use this one address."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def on_signed_in(sender: Any, request: HttpRequest, user: Account, **kwargs: Any) -> None:
    from tutela.accounts.services import record_event

    record_event(
        SecurityEventKind.SIGNED_IN, account=user, actor=user, ip_address=client_ip(request)
    )


def on_signed_out(sender: Any, request: HttpRequest, user: Account | None, **kwargs: Any) -> None:
    from tutela.accounts.services import record_event

    if user is not None and user.pk:
        record_event(
            SecurityEventKind.SIGNED_OUT, account=user, actor=user, ip_address=client_ip(request)
        )


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from tutela.accounts.backends import find_account
    from tutela.accounts.services import record_event

    identifier = str(credentials.get("username") or "")
    record_event(
        SecurityEventKind.SIGN_IN_FAILED,
        account=find_account(identifier),
        identifier=identifier,
        ip_address=client_ip(request),
    )


def on_locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any
) -> None:
    from tutela.accounts.backends import find_account
    from tutela.accounts.services import record_event

    # ``username`` is the lockout key; what was typed is in the credentials django-axes keeps.
    typed = str((getattr(request, "axes_credentials", None) or {}).get("username") or username)
    record_event(
        SecurityEventKind.LOCKED_OUT,
        account=find_account(typed),
        identifier=typed,
        ip_address=ip_address,
    )
