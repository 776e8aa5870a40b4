"""What every request and answer goes through before the apps see it."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

Handler = Callable[[HttpRequest], HttpResponse]


def _trusted(address: str) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.TUTELA_TRUSTED_PROXIES)


def forwarded_client(peer: str, forwarded_for: str) -> str:
    """The client's address from ``X-Forwarded-For`` as received from the trusted ``peer``.

    Each proxy appends the address it was reached from, so the right-most hop that is not one
    of our proxies is the client: anything to its left was written by the client itself and
    may be forged. A hop that is not an address ends the walk at the last hop we trust.
    """
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop):
            break
    return client


class TrustedProxyMiddleware:
    """Behind a reverse proxy, the client's address and scheme are the proxy's to tell.

    Only a connection from ``TUTELA_TRUSTED_PROXIES`` is believed: then ``REMOTE_ADDR``
    becomes the client's address (sign-in lockout, access-code limits and the audit all read
    it) and ``X-Forwarded-Proto`` says whether the client used HTTPS. From anyone else both
    headers are ignored, so a client cannot pick the address it is counted under.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        if settings.TUTELA_TRUSTED_PROXIES and _trusted(peer):
            request.META["REMOTE_ADDR"] = forwarded_client(
                peer, request.META.get("HTTP_X_FORWARDED_FOR", "")
            )
            proto = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                request.META["wsgi.url_scheme"] = proto
        return self.get_response(request)


class UploadLimitMiddleware:
    """A request whose body is larger than a file of ``TUTELA_UPLOAD_MAX_MB`` and the form's
    other fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) is refused unread."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.TUTELA_UPLOAD_MAX_MB
        if length > limit * 1024 * 1024 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return HttpResponse(
                f"The file is too large: Tutela accepts uploads of up to {limit} MB.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """No page Tutela makes may be kept by a browser or a shared cache: they show children's
    and families' data (a parent on a library computer signs out; the back button must not
    bring the page back). Static files are served before this and stay cacheable."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
