"""The staff menu: every staff screen, each shown only to the roles that may open it.

One list serves the header of every staff page and the staff home, so a screen added here
appears in both. Whether an entry shows is asked of ``Scope`` (the same answer the screen's
own guard gives), so nobody is offered a link that would answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from tutela.accounts.scopes import Scope


@dataclass(frozen=True)
class MenuEntry:
    """One staff screen: its label, its URL name, who may open it, and what it is for."""

    label: str
    url_name: str
    allowed: Callable[[Scope], bool]
    purpose: str


def _staff(scope: Scope) -> bool:
    return scope.staff


def _district_admin(scope: Scope) -> bool:
    return scope.is_district_admin


def _school_staff(scope: Scope) -> bool:
    return scope.is_school_staff


def _code_staff(scope: Scope) -> bool:
    return scope.staff and settings.ACCESS_CODES_ENABLED


MENU = [
    MenuEntry("Home", "staff:home", _staff, "the district at a glance"),
    MenuEntry(
        "Search",
        "staff:search",
        _staff,
        "contacts by name, email or phone; students by number or name",
    ),
    MenuEntry(
        "Accounts", "staff:accounts", _staff, "parents' Logon IDs: find, create, tie students"
    ),
    MenuEntry(
        "Imports", "staff:imports:history", _staff, "students, contacts, accounts from files"
    ),
    MenuEntry(
        "Possible duplicates",
        "staff:duplicates",
        _staff,
        "contacts that may be one person entered twice: merge them or set them apart",
    ),
    MenuEntry("AutoCreate", "provisioning:autocreate", _district_admin, "create parents' accounts"),
    MenuEntry(
        "Email templates",
        "provisioning:templates",
        _district_admin,
        "the district's wording of every email",
    ),
    MenuEntry(
        "Letters home",
        "letters:print",
        _school_staff,
        "activation and access-code letters to print or mail-merge",
    ),
    MenuEntry("Access codes", "accesscodes:codes", _code_staff, "download and reset codes"),
    MenuEntry(
        "Restricted links",
        "accesscodes:restricted",
        _code_staff,
        "links waiting for a school admin",
    ),
    MenuEntry(
        "Staff people", "staff:staff-people", _district_admin, "staff, their roles and schools"
    ),
    MenuEntry(
        "Sync targets",
        "staff:sync-targets",
        _district_admin,
        "the learning systems Tutela delivers to every night, and every delivery",
    ),
    MenuEntry("Audit trail", "staff:audit", _district_admin, "every change, who and when"),
    MenuEntry("API tokens", "api-tokens:list", _staff, "your personal tokens for the REST API"),
]


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    purpose: str


def staff_menu(actor: object) -> list[MenuLink]:
    """The entries of ``MENU`` that ``actor`` may open, with their addresses."""
    scope = Scope.of(actor)
    return [
        MenuLink(entry.label, reverse(entry.url_name), entry.purpose)
        for entry in MENU
        if entry.allowed(scope)
    ]
