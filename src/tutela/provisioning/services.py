"""AutoCreate: give a selection's eligible guardians portal accounts, and their students.

``run_autocreate`` applies the plan that ``plan.plan_autocreate`` makes, a slice of students
at a time as it is made, in one transaction; a simulation is the same planning with no writes,
so its report is the real run's report.
Jobs wrap a run for the background queue (``record_autocreate_job``, then
``execute_autocreate_job``) and the command line (``new_autocreate_job``, then
``run_autocreate_job``), with progress the staff screen polls; putting a job on the queue is
``jobs.start_autocreate_job``'s business, never a service's.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, actor_name, audited, command_line_user
from tutela.core.bulk import chunks, insert_rows
from tutela.jobs import lifecycle
from tutela.notifications.email import Email, deliver
from tutela.people.models import StudentContactDetail
from tutela.provisioning.eligibility import Eligibility
from tutela.provisioning.emails import EmailChoice, prepare_emails
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.plan import AutoCreateReport, PlanSlice, plan_autocreate
from tutela.provisioning.selection import Selection

Progress = Callable[[int, int], None]
PhaseProgress = Callable[[int, int, str], None]


def run_autocreate(
    *,
    selection: Selection,
    actor: Actor,
    simulate: bool = False,
    eligibility: Eligibility | None = None,
    today: datetime.date | None = None,
    progress: PhaseProgress | None = None,
    emails: EmailChoice | None = None,
    on_applied: Callable[[AutoCreateReport], None] | None = None,
) -> AutoCreateReport:
    """Plan and, unless ``simulate``, apply: create the accounts and grant data access.

    ``on_applied`` is given the report inside the run's transaction (after it for a
    simulation): a job saves its record there, so that it commits with the run's writes.

    Progress is reported as (done, total, phase): planning walks the students; a real run
    then counts the same number again while it writes, so a bar never goes backwards.
    With ``emails``, created accounts get an activation email and existing accounts that
    gained a student a "new student" email, sent once the run has committed; the report's
    ``emails_sent`` says how many the mail server took.
    """
    outbox: list[Email] = []
    factor = 1 if simulate else 2
    written = 0  # students whose slice of the plan is written

    def planning(done: int, total: int) -> None:
        if progress:
            progress(written + done, total * factor, "planning")

    if simulate:
        # Only reads: no transaction, so on SQLite a simulation never holds the write lock.
        simulated = plan_autocreate(
            selection, eligibility=eligibility, today=today, progress=planning
        )
        if on_applied:
            on_applied(simulated)
        return simulated
    with audited(actor), transaction.atomic():

        def write(part: PlanSlice) -> None:
            nonlocal written
            _apply(part, progress)
            written = part.first + part.size

        report = plan_autocreate(
            selection, eligibility=eligibility, today=today, progress=planning, apply=write
        )
        if emails:
            outbox = prepare_emails(report, emails)

            def send() -> None:
                if progress:
                    progress(report.students * 2, report.students * 2, "emailing")
                report.emails_sent = deliver(outbox)

            transaction.on_commit(send)
        if on_applied:
            on_applied(report)
    return report


def unusable_password() -> str:
    """What ``make_password(None)`` stores, made with one random call instead of forty."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _apply(part: PlanSlice, progress: PhaseProgress | None) -> None:
    """One slice's writes, in bulk: accounts with an unusable password (parents set theirs
    through the activation link; no per-account hashing), then data access on the links.

    Progress counts each student twice, planned and written: the students of earlier slices
    are both, this slice's are planned.
    """
    planned, total = part.first + part.size, part.total * 2
    steps = len(part.new_accounts) + len(part.grant_detail_ids)
    done_writes = 0

    def advance(count: int) -> None:
        nonlocal done_writes
        done_writes += count
        if progress:
            fraction = done_writes / steps if steps else 1
            progress(planned + part.first + round(part.size * fraction), total, "writing")

    for chunk in chunks(part.new_accounts):
        # Not the big-load upkeep: dropping the accounts table's indexes would lock it, and so
        # every sign-in, until the run commits.
        insert_rows(
            Account,
            ("username", "email", "contact_id", "first_name", "last_name", "password"),
            [
                (
                    new.username,
                    new.username,
                    new.contact,
                    new.first_name[:150],
                    new.last_name[:150],
                    unusable_password(),
                )
                for new in chunk
            ],
            may_drop_indexes=False,
        )
        advance(len(chunk))
    for ids in chunks(part.grant_detail_ids):
        StudentContactDetail.objects.filter(id__in=ids).update(allow_data_access=True)
        advance(len(ids))
    if progress:
        progress(2 * planned, total, "writing")


def new_autocreate_job(
    *,
    selection: Selection,
    actor: Actor,
    simulate: bool = True,
    emails: EmailChoice | None = None,
) -> AutoCreateJob:
    """A job not yet recorded: who asks, for which students, and which emails it sends.

    The command line runs one this way (``run_autocreate_job``): it is recorded once it may
    run, so on SQLite nothing is written while another bulk job holds the database.
    """
    return AutoCreateJob(
        actor=account_of(actor),
        actor_name=actor_name(actor),
        selection={
            "school": selection.school,
            "grades": list(selection.grades),
            "student_numbers": list(selection.student_numbers)
            if selection.student_numbers is not None
            else None,
            "file_name": selection.file_name,
        },
        simulate=simulate,
        created_template=emails.created if emails else None,
        attached_template=emails.attached if emails else None,
        email_language=emails.language if emails else "",
    )


def record_autocreate_job(
    *,
    selection: Selection,
    actor: Actor,
    simulate: bool = True,
    emails: EmailChoice | None = None,
) -> AutoCreateJob:
    """Record a job, queued, for the background queue to run."""
    job = new_autocreate_job(selection=selection, actor=actor, simulate=simulate, emails=emails)
    job.save()
    return job


def selection_of(job: AutoCreateJob) -> Selection:
    data = job.selection
    numbers = data.get("student_numbers")
    return Selection(
        school=data.get("school") or "",
        grades=tuple(data.get("grades") or ()),
        student_numbers=tuple(numbers) if numbers is not None else None,
        file_name=data.get("file_name") or "",
    )


def execute_autocreate_job(
    *,
    job_id: int,
    actor: Actor | None = None,
    progress: PhaseProgress | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> AutoCreateReport | None:
    """Run a recorded job, keeping its progress and, at the end, its totals and report.

    The job runs as ``actor`` (the command line running its own job) or, from the queue, as
    the account that asked for it; a job with no account behind it (recorded by a command, or
    its account since removed) runs as the worker's own command-line user.

    A queue may deliver a task twice, even to two workers at once: the job is claimed in one
    statement, so it runs once and the second delivery does nothing (``None``). A real run
    is a bulk job: it waits for one already running (``on_wait`` is told which), and its
    report is saved in the run's own transaction (``tutela.jobs.lifecycle``).
    """
    job = (
        AutoCreateJob.objects.select_related("actor", "created_template", "attached_template")
        .filter(pk=job_id, status=AutoCreateJob.Status.QUEUED)
        .first()
    )
    if job is None:
        return None
    try:
        return run_autocreate_job(job=job, actor=actor, progress=progress, on_wait=on_wait)
    except lifecycle.AlreadyRun:
        return None


def run_autocreate_job(
    *,
    job: AutoCreateJob,
    actor: Actor | None = None,
    progress: PhaseProgress | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> AutoCreateReport:
    """Run ``job``: a queued record (``lifecycle.AlreadyRun`` if another delivery has claimed
    it) or a new one, recorded as started once it may run. A real run is a bulk job: it
    waits for one already running (``on_wait`` is told which)."""
    with lifecycle.running(job, bulk=not job.simulate, on_wait=on_wait) as running:
        return _execute(job, actor, running, progress)


def _execute(
    job: AutoCreateJob,
    actor: Actor | None,
    running: lifecycle.Running,
    progress: PhaseProgress | None,
) -> AutoCreateReport:
    def report_progress(done: int, total: int, phase: str) -> None:
        job.done, job.total, job.phase = done, total, phase
        running.progress(done, total, phase)
        if progress:
            progress(done, total, phase)

    def record(report: AutoCreateReport) -> None:
        job.done, job.phase = job.total, "finished"
        job.totals = report.totals()
        job.duplicates = [d.as_json() for d in report.duplicates]
        job.plan_csv_gz = report.csv_gz()
        lifecycle.finish(job)

    report = run_autocreate(
        selection=selection_of(job),
        actor=actor or job.actor or command_line_user(),
        simulate=job.simulate,
        progress=report_progress,
        emails=EmailChoice(
            created=job.created_template,
            attached=job.attached_template,
            language=job.email_language,
        ),
        on_applied=record,
    )
    if report.emails_sent:
        # Counted once the mail server took them, after the run committed.
        AutoCreateJob.objects.filter(pk=job.pk).update(emails_sent=report.emails_sent)
        job.emails_sent = report.emails_sent
    return report
