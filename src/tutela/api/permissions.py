"""Who may call the API at all: a staff member (``Scope.staff``) through a token. What each
call reaches is then narrowed by the same ``Scope`` in the selectors and services."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tutela.accounts.scopes import Scope


class IsStaff(BasePermission):
    message = "staff only"

    def has_permission(self, request: Request, view: Any) -> bool:
        return Scope.of(request.user).staff


class IsDistrictAdmin(BasePermission):
    message = "district admins only"

    def has_permission(self, request: Request, view: Any) -> bool:
        return Scope.of(request.user).is_district_admin
