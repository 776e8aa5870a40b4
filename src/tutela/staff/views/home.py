"""The staff home (``/staff/``): every staff screen the person may open, and the district's
state at a glance for their scope.

Each count is a question a district admin asks on a Monday morning (which children can no
parent see? which accounts were never used?), answered through the same scoped selectors as
the screens, so a school's staff count only their schools.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tutela.accesscodes.selectors import pending_links_visible_to
from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.selectors import (
    grants_without_account,
    never_activated,
    students_no_parent_can_see,
)
from tutela.imports import selectors as imports
from tutela.privacy.majority import UPCOMING_DAYS, recent_handovers, upcoming_handovers
from tutela.provisioning import selectors as autocreate
from tutela.rostering.selectors import failing_targets
from tutela.staff.navigation import staff_menu

RECENT = 5


@dataclass(frozen=True)
class Glance:
    label: str
    count: int
    meaning: str


def _glance(account: Account) -> list[Glance]:
    return [
        Glance(
            "Students no parent can see",
            students_no_parent_can_see(actor=account).count(),
            "no contact with an enabled account has data access to them",
        ),
        Glance(
            "Accounts never activated",
            never_activated(actor=account).count(),
            "enabled parent accounts that have never signed in",
        ),
        Glance(
            "Data access without an account",
            grants_without_account(actor=account).count(),
            "student links granting data access to a contact who has no account",
        ),
        Glance(
            "Restricted links waiting",
            pending_links_visible_to(actor=account).count(),
            "requests for a restricted student, waiting for a school admin",
        ),
    ]


def _where(scope: Scope) -> str:
    if scope.district_wide:
        return "the whole district"
    schools = [str(school) for school in scope.schools()]
    return ", ".join(schools) if schools else "no school yet"


def _days_ago(days: int) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=days)


@staff_required
def home(request: HttpRequest, account: Account) -> HttpResponse:
    return render(
        request,
        "staff/home.html",
        {
            "screens": staff_menu(account)[1:],  # the first entry is this page
            "where": _where(Scope.of(account)),
            "glance": _glance(account),
            "imports": list(imports.jobs_visible_to(actor=account).order_by("-pk")[:RECENT]),
            "jobs": list(autocreate.jobs_visible_to(actor=account)[:RECENT]),
            "runs_autocreate": Scope.of(account).is_district_admin,
            # FERPA's age-18 hand-over: whose parents lost access lately, whose will soon.
            "handovers": list(recent_handovers(actor=account, since=_days_ago(UPCOMING_DAYS))),
            "upcoming": upcoming_handovers(actor=account, today=datetime.date.today()),
            "upcoming_days": UPCOMING_DAYS,
            # A learning system that did not get last night's package (after its retries).
            "failed_syncs": failing_targets(actor=account),
        },
    )
