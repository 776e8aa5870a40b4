"""Who may open which page: the view decorators, every one built on ``Scope``.

Each decorator sends an anonymous visitor to sign-in and answers 403 to a signed-in person the
page is not for; the view then receives the signed-in account after the request
(``view(request, account, ...)``), so it never reads ``request.user`` again. What the page
shows is narrowed by the same ``Scope`` in the selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope

View = Callable[..., HttpResponseBase]


def _requires(allowed: Callable[[Account], bool], refusal: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            account = request.user
            if not isinstance(account, Account) or not allowed(account):
                raise PermissionDenied(refusal)
            return view(request, account, *args, **kwargs)

        return wrapper

    return decorator


# Enabled staff accounts: the staff screens and the restricted-student queue.
staff_required = _requires(lambda account: Scope.of(account).staff, "staff only")

# District admins: AutoCreate and the email templates work across the whole district.
district_admin_required = _requires(
    lambda account: Scope.of(account).is_district_admin, "district admins only"
)

# District admins and school admins (staff with schools): letters home, for their schools.
school_staff_required = _requires(
    lambda account: Scope.of(account).is_school_staff, "district and school staff only"
)

# Staff, and teachers of at least one section: the access-code downloads.
code_distributor_required = _requires(
    lambda account: Scope.of(account).is_code_distributor, "staff and teachers only"
)

# The portal is for parents and guardians: accounts that belong to a contact.
parent_required = _requires(
    lambda account: account.contact_id is not None, "the portal is for parents and guardians"
)
