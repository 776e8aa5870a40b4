"""Two bulk jobs at once never interleave: the second waits, says which job it waits for, and
runs once the first has finished, with no error; for real, with two ``tutela`` processes."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.jobs.conftest import WAIT, District
from tutela.imports.models import ImportJob
from tutela.jobs import exclusive, lifecycle


def holds_the_queue_store(district: District) -> bool:
    """Whether some process holds the write lock of the queue's store (SQLite), where a
    running job writes its heartbeat several times a second."""
    store = sqlite3.connect(district.home / "queue.sqlite3", timeout=0, isolation_level=None)
    try:
        store.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        store.close()  # rolls back the empty transaction
    return False


@contextmanager
def paused(process: subprocess.Popen[str], district: District) -> Iterator[None]:
    """Stop ``process`` (SIGSTOP) for the block, still running its job; then let it go on.

    Never in the middle of a heartbeat's write to the queue's store: a new process opens
    that store at start-up (creating its tables, under an exclusive lock), and would give up
    on a lock that a stopped process can never release; no real process holds it for long.
    """
    deadline = time.monotonic() + WAIT
    process.send_signal(signal.SIGSTOP)
    while holds_the_queue_store(district) and time.monotonic() < deadline:
        process.send_signal(signal.SIGCONT)
        time.sleep(0.01)  # polling: let the heartbeat's write finish
        process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        process.send_signal(signal.SIGCONT)


def times(district: District, table: str, pk: int) -> tuple[Any, Any]:
    rows = district.query(f"SELECT started_at, finished_at FROM {table} WHERE id = %s", (pk,))  # noqa: S608
    return rows[0]


def test_a_second_import_waits_for_the_first_and_says_so(district: District) -> None:
    renamed = district.files / "renamed.csv"
    with (district.files / "students.csv").open(encoding="utf-8") as source:
        header, first, *_ = csv.reader(source)
    first[header.index("First_Name")] = "Renamed"
    with renamed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, first])

    big = district.start("import", "contacts", str(district.files / "contacts.csv"))
    first_job = district.wait_for_job("imports_importjob", big)
    district.wait_for_state("imports.importjob", first_job, big, lambda state: "beat" in state)
    with paused(big, district):  # so that it still runs when the second one comes
        small = district.start("import", "students", str(renamed))
        assert small.stderr is not None
        said = small.stderr.readline()
    assert said == f"This import is waiting for import {first_job} to finish.\n", (
        said + small.stderr.read()
    )
    out, err = small.communicate(timeout=600)
    assert small.returncode == 0, err
    assert "Students added 0, students updated 1" in out
    _, big_err = big.communicate(timeout=600)
    assert big.returncode == 0, big_err
    second_job = district.latest_job("imports_importjob")
    assert second_job is not None and second_job[0] > first_job
    # One after the other: the second started once the first had finished.
    assert (
        times(district, "imports_importjob", second_job[0])[0]
        >= (times(district, "imports_importjob", first_job)[1])
    )


def test_a_second_autocreate_run_waits_for_the_first_and_finds_it_done(
    district_with_contacts: District,
) -> None:
    district = district_with_contacts
    first = district.start("autocreate", "--json")
    first_job = district.wait_for_job("provisioning_autocreatejob", first)
    district.wait_for_state(
        "provisioning.autocreatejob", first_job, first, lambda state: "beat" in state
    )
    with paused(first, district):
        second = district.start("autocreate", "--json")
        assert second.stderr is not None
        said = second.stderr.readline()
    expected = f"This AutoCreate run is waiting for AutoCreate run {first_job} to finish.\n"
    assert said == expected, said + second.stderr.read()
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    assert '"accounts_created": 0' in out  # the first had made them all
    first_out, first_err = first.communicate(timeout=600)
    assert first.returncode == 0, first_err
    assert '"accounts_created": 0' not in first_out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lock_is_held_until_the_holder_lets_go() -> None:
    """In one process too (threads, each with its own database connection)."""
    holder = lifecycle.start(ImportJob(kind="students", file_name="s.csv"))
    said: list[str] = []
    order: list[str] = []

    def second() -> None:
        from django.db import connection

        try:
            with exclusive.one_at_a_time(said.append):
                order.append("second runs")
        finally:
            connection.close()

    with exclusive.one_at_a_time(said.append):
        exclusive.announce(holder)
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 60
        while not said and time.monotonic() < deadline:
            time.sleep(0.01)  # polling for the second to find the lock taken
        assert said and order == []  # and it waits: this block still holds the lock
        order.append("first ends")
    thread.join(timeout=60)
    assert order == ["first ends", "second runs"]
    assert said == [f"waiting for import {holder.pk} to finish"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queued_job_says_in_its_live_state_what_it_waits_for() -> None:
    from django.db import connection

    from tutela.core.audit import command_line_user
    from tutela.provisioning.models import AutoCreateJob
    from tutela.provisioning.progress import job_progress
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import execute_autocreate_job, record_autocreate_job

    holder = lifecycle.start(ImportJob(kind="contacts", file_name="c.csv"))
    queued = record_autocreate_job(selection=Selection(), actor=command_line_user(), simulate=False)
    seen: list[dict[str, Any]] = []

    def run() -> None:
        try:
            execute_autocreate_job(job_id=queued.pk)
        finally:
            connection.close()

    with exclusive.one_at_a_time(lambda message: None):
        exclusive.announce(holder)
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            progress = job_progress(AutoCreateJob.objects.get(pk=queued.pk))
            if progress["waiting"]:
                seen.append(progress)
            time.sleep(0.01)
    thread.join(timeout=60)
    assert seen[0]["status"] == "queued"
    assert seen[0]["waiting"] == f"waiting for import {holder.pk} to finish"
    queued.refresh_from_db()
    assert queued.status == "done"
    assert job_progress(queued)["waiting"] == ""
