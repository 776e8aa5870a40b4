"""Who sees this child: every account the portal shows a student to, through which link and
detail, since when, granted by whom and by what.

The accounts are the portal's own rule (``accounts.selectors.portal_viewers``); this module adds
what the records say about each grant. A grant made row by row has its audit entry: the staff
screens (a staff account), the command line (its operating-system user) or the parent's own
access code or Add Child (the parent's account). A grant written in bulk has none: AutoCreate's
job keeps its plan (each student-contact pair and what was done), so the job is named; an
import's writes are named by the import job whose rows name the contact and the student when
its row results say so, else as "an import (written in bulk)". And every sync target the
student's record goes to, with the parents it names as the student's.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Q

from tutela.accounts.selectors import PortalViewer, portal_viewers
from tutela.core.audit import ACTOR_KEY
from tutela.people.models import Contact, Student, StudentContactDetail
from tutela.provisioning.models import AutoCreateJob
from tutela.rostering.models import SyncTarget
from tutela.rostering.selection import shared_links

# How many of the latest real AutoCreate runs a bulk-written grant is looked for in.
AUTOCREATE_JOBS_SEARCHED = 20
GRANTING_ACTIONS = {"create", "attach"}


@dataclass(frozen=True)
class Grant:
    """One account that sees the student and what the records say about why."""

    viewer: PortalViewer
    source: str  # staff screen, command line, access code, AutoCreate job N, an import...
    granted_by: str
    since: datetime.datetime | None

    def as_json(self) -> dict[str, object]:
        detail = self.viewer.detail
        link = self.viewer.link
        return {
            "account": self.viewer.account.username,
            "contact_id": link.contact_id,
            "contact": f"{link.contact.first_name} {link.contact.last_name}".strip(),
            "link_id": link.pk,
            "detail_id": detail.pk,
            "relationship": (
                detail.relationship_type.display_name if detail.relationship_type else None
            ),
            "detail_start": detail.start_date.isoformat() if detail.start_date else None,
            "detail_end": detail.end_date.isoformat() if detail.end_date else None,
            "since": self.since.isoformat() if self.since else None,
            "granted_by": self.granted_by,
            "granted_through": self.source,
        }


def _entry_source(detail: StudentContactDetail, contact_account_id: int) -> str | None:
    """What the audit entry that switched data access on says about where it came from."""
    for entry in LogEntry.objects.get_for_object(detail):
        change = (entry.changes_dict or {}).get("allow_data_access")
        if change is None or str(change[-1]) != "True":
            continue
        if entry.actor_id == contact_account_id:
            return "access code"  # the parent linked the student themselves (a code, Add Child)
        if entry.actor_id is not None:
            return "staff screen"
        if (entry.additional_data or {}).get(ACTOR_KEY):
            return "command line"
        return "not recorded"
    return None


def _autocreate_job(student: Student, contact_id: int) -> AutoCreateJob | None:
    """The latest real AutoCreate run whose plan created or attached this pair."""
    jobs = AutoCreateJob.objects.filter(simulate=False, status="done").order_by("-pk")
    for job in jobs[:AUTOCREATE_JOBS_SEARCHED]:
        with job.open_plan_csv() as plan:
            for row in csv.DictReader(plan):
                if (
                    row.get("student") == student.student_number
                    and row.get("contact") == str(contact_id)
                    and row.get("action") in GRANTING_ACTIONS
                ):
                    return job
    return None


def who_sees(*, student: Student, today: datetime.date | None = None) -> list[Grant]:
    """Every account that sees ``student`` today, with the source of each grant. The caller
    checks that the asker may open the student."""
    grants = []
    for viewer in portal_viewers(student=student, today=today):
        source = _entry_source(viewer.detail, viewer.account.pk)
        if source is not None:
            grants.append(Grant(viewer, source, viewer.granted_by, viewer.granted_at))
            continue
        job = _autocreate_job(student, viewer.link.contact_id)
        if job is not None:
            by = job.actor_name or "not recorded"
            grants.append(Grant(viewer, f"AutoCreate job {job.pk}", by, job.finished_at))
        else:
            grants.append(Grant(viewer, "an import (written in bulk)", viewer.granted_by, None))
    return grants


@dataclass(frozen=True)
class StudentTarget:
    """A sync target a student's record goes to, and the parents it tells of the student."""

    target: SyncTarget
    parents: list[Contact]

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.target.name,
            "format": self.target.format,
            "destination": self.target.destination,
            "mode": self.target.mode,
            "enabled": self.target.enabled,
            "parents": [
                {
                    "contact_id": contact.pk,
                    "contact": f"{contact.first_name} {contact.last_name}".strip(),
                    "account": contact.account.username,
                }
                for contact in self.parents
            ],
        }


def targets_of_student(*, student: Student) -> list[StudentTarget]:
    """Every target whose schools take ``student`` (a target of no school takes every one),
    with the parents its package names as the student's: none when it leaves parents out or
    does not tell who is whose. The caller checks that the asker may open the student."""
    targets = SyncTarget.objects.filter(
        Q(schools=student.school_id) | Q(schools__isnull=True)
    ).distinct()
    parents = list(
        Contact.objects.filter(pk__in=shared_links().filter(student=student).values("contact_id"))
        .select_related("account")
        .order_by("last_name", "first_name", "pk")
    )
    return [
        StudentTarget(
            target, parents if target.include_parents and target.parents_in_rosters else []
        )
        for target in targets.order_by("name")
    ]
