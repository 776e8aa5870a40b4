"""The accounts (eSchoolPLUS's Logon IDs) and staff people lists: their filters and tables.

The filters only say what was asked; which accounts match is the selectors' answer
(``accounts.selectors``), asked with the signed-in person's scope.
"""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet

from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor
from tutela.accounts.selectors import NEVER_ACTIVATED, search_parent_accounts
from tutela.accounts.staff_members import DISTRICT_ADMIN, ROLE_NAMES, role_of

SHOW_NEVER_ACTIVATED = "never-activated"
SHOW_DISABLED = "disabled"
PER_PAGE = 50


class AccountFilter(django_filters.FilterSet):
    """Search in one box (username, email, contact name, a child's student number) and the
    two states staff chase: accounts never activated, and disabled ones."""

    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(
        label="Show",
        choices=[(SHOW_NEVER_ACTIVATED, "Never activated"), (SHOW_DISABLED, "Disabled")],
        empty_label="All accounts",
        method="in_state",
    )

    class Meta:
        model = Account
        fields: list[str] = []

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.form.fields[
            "q"
        ].help_text = "Username, email, contact name or a child's student number"

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return search_parent_accounts(queryset, actor=self.actor, query=value)

    def in_state(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        if value == SHOW_NEVER_ACTIVATED:
            return queryset.filter(NEVER_ACTIVATED)
        return queryset.filter(is_active=False)


def _status(account: Account) -> str:
    return "Enabled" if account.is_active else "Disabled"


class AccountTable(tables.Table):
    """One row per parent account; the students shown are those of the asker's scope."""

    username = tables.Column(
        verbose_name="Logon ID", linkify=("staff:account", {"pk": tables.A("pk")})
    )
    email = tables.Column(verbose_name="Email")
    contact = tables.Column(
        verbose_name="Contact",
        order_by=("contact__last_name", "contact__first_name"),
        linkify=("staff:contact", {"contact_id": tables.A("contact_id")}),
    )
    students = tables.Column(verbose_name="Students", empty_values=(), orderable=False)
    is_active = tables.Column(verbose_name="Status")
    last_login = tables.DateTimeColumn(verbose_name="Last sign-in", default="never")

    class Meta:
        model = Account
        fields = ("username", "email", "contact", "students", "is_active", "last_login")
        order_by = "username"
        empty_text = "No account matches."
        template_name = "staff/_table.html"

    def __init__(self, *args: Any, students: dict[int, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.students_of = students

    def render_students(self, record: Account) -> str:
        return ", ".join(self.students_of.get(record.contact_id or 0, [])) or "none"

    def render_is_active(self, record: Account) -> str:
        return _status(record)


class StaffTable(tables.Table):
    """One row per staff person: role, the schools it covers, enabled, last sign-in."""

    username = tables.Column(
        verbose_name="Username", linkify=("staff:staff-person", {"pk": tables.A("pk")})
    )
    name = tables.Column(verbose_name="Name", empty_values=(), order_by=("last_name", "first_name"))
    email = tables.Column(verbose_name="Email")
    role = tables.Column(verbose_name="Role", empty_values=(), orderable=False)
    schools = tables.Column(verbose_name="Schools", empty_values=(), orderable=False)
    is_active = tables.Column(verbose_name="Status")
    last_login = tables.DateTimeColumn(verbose_name="Last sign-in", default="never")

    class Meta:
        model = Account
        fields = ("username", "name", "email", "role", "schools", "is_active", "last_login")
        order_by = "username"
        empty_text = "No staff yet."
        template_name = "staff/_table.html"

    def render_name(self, record: Account) -> str:
        return record.get_full_name() or "—"

    def render_role(self, record: Account) -> str:
        return ROLE_NAMES[role_of(record)]

    def render_schools(self, record: Account) -> str:
        if role_of(record) == DISTRICT_ADMIN:
            return "All schools"
        return ", ".join(f"{s.name} ({s.school_number})" for s in record.schools.all()) or "none"

    def render_is_active(self, record: Account) -> str:
        return _status(record)
