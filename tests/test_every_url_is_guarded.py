"""No URL of the app escapes the guard tests.

Each app's ``test_every_url_is_guarded.py`` lists its URLs with the answer the wrong people
get. This test walks the whole URL configuration (the Django admin aside: it has its own
permission checks), so a URL added to any app, or a new app's ``urls.py``, fails here until a
guard test lists it.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from tests.accesscodes.test_every_url_is_guarded import URLS as ACCESS_CODE_URLS
from tests.accounts.test_every_url_is_guarded import URLS as ACCOUNT_URLS
from tests.api.test_every_url_is_guarded import URLS as API_URLS
from tests.letters.test_every_url_is_guarded import URLS as LETTERS_URLS
from tests.portal.test_every_url_is_guarded import URLS as PORTAL_AND_STAFF_URLS
from tests.provisioning.test_every_url_is_guarded import URLS as AUTOCREATE_URLS
from tests.rostering.api.test_every_url_is_guarded import URLS as ONEROSTER_URLS
from tests.staff.test_every_imports_url_is_guarded import URLS as IMPORTS_URLS
from tests.web.test_health import URLS as HEALTH_URLS

ADMIN = "admin"


def url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner == ADMIN:
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names |= url_names(pattern.url_patterns, prefix)
        else:
            assert pattern.name, f"an unnamed URL cannot be listed in a guard test: {pattern}"
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_of_the_app_is_in_a_guard_test() -> None:
    guarded = (
        set(ACCESS_CODE_URLS)
        | set(ACCOUNT_URLS)
        | set(PORTAL_AND_STAFF_URLS)
        | set(AUTOCREATE_URLS)
        | set(IMPORTS_URLS)
        | set(LETTERS_URLS)
        | set(HEALTH_URLS)
        | set(ONEROSTER_URLS)
        | set(API_URLS)
    )
    missing = url_names(get_resolver().url_patterns) - guarded
    assert not missing, f"URLs that no test_every_url_is_guarded.py checks: {sorted(missing)}"


def test_the_walk_finds_urls_in_every_app() -> None:
    names = url_names(get_resolver().url_patterns)
    assert {"home", "portal:student", "staff:contact", "provisioning:job-plan"} <= names
    assert {"accesscodes:codes-download", "accounts:activate"} <= names
    assert not any(name.startswith("admin:") for name in names)
