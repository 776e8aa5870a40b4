"""Sync targets on the cast (Hana is Holly's mother, granted, and Hugo's, not granted; Leo is
Lila's father, granted; Hillcrest is school 10, Lakeside 20): ``tutela sync add/list/run``,
delivery to a folder, deltas since the last successful delivery, retries, the nightly task."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast
from tests.conftest import Run
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact
from tutela.people.services import restrict_link
from tutela.privacy.whosees import targets_of_student
from tutela.rostering.models import SyncDelivery, SyncTarget
from tutela.rostering.selectors import failing_targets
from tutela.rostering.tasks import nightly_sync_task

pytestmark = pytest.mark.django_db


def read(path: Path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in archive.namelist()
        }


def only_file(folder: Path) -> Path:
    [file] = [path for path in folder.iterdir() if not path.name.startswith(".")]
    return file


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_sync_add_list_and_run_deliver_a_oneroster_package_to_a_folder(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    added = tutela("sync", "add", "brightspace", "--format", "oneroster", "--to", str(inbox))
    assert added.code == 0, added.err
    assert "Added sync target brightspace" in added.out
    listed = tutela("sync", "list")
    assert "brightspace: oneroster bulk to" in listed.out and "never delivered" in listed.out

    run = tutela("sync", "run", "brightspace")
    assert run.code == 0, run.err
    package = only_file(inbox)
    assert stat.S_IMODE(package.stat().st_mode) == 0o600
    delivery = SyncDelivery.objects.get()
    assert delivery.succeeded and delivery.error == "" and delivery.attempt == 1
    assert (delivery.kind, delivery.file_name) == ("bulk", package.name)
    assert delivery.sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
    assert delivery.sha256 in run.out
    files = read(package)
    assert ["file.users", "bulk"] in files["manifest.csv"]
    names = {row[8] for row in files["users.csv"][1:]}
    assert {"Holly", "Hugo", "Lila", "Hana", "Leo"} <= names
    assert delivery.counts["users.csv"] == len(files["users.csv"]) - 1

    document = json.loads(tutela("sync", "list", "--json").out)
    [target] = document
    assert target["name"] == "brightspace" and target["last_delivery"]["succeeded"] is True
    assert target["last_delivery"]["sha256"] == delivery.sha256


def test_no_parents_and_schools_limit_what_a_target_gets(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    run = tutela(
        "sync", "add", "canvas-10", "--format", "canvas", "--to", str(inbox),
        "--schools", "10", "--no-parents",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert tutela("sync", "run", "canvas-10").code == 0
    files = read(only_file(inbox))
    assert {row[2] for row in files["users.csv"][1:]} == {"Holly", "Hugo"}
    assert files["user_observers.csv"][1:] == []


def test_without_parents_in_rosters_parents_go_without_their_children(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    tutela("sync", "add", "sgy", "--format", "schoology", "--to", str(inbox), "--no-rosters")
    assert tutela("sync", "run", "sgy").code == 0
    files = read(only_file(inbox))
    assert {row[0] for row in files["parents.csv"][1:]} == {"Hana", "Leo"}
    assert files["parent_associations.csv"][1:] == []


def test_a_delta_target_sends_what_changed_since_its_last_successful_delivery(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    tutela("sync", "add", "nightly", "--format", "oneroster", "--to", str(inbox), "--delta")
    assert tutela("sync", "run", "nightly").code == 0
    first = only_file(inbox)
    assert ["file.orgs", "bulk"] in read(first)["manifest.csv"]  # the first one is everything
    first.unlink()

    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=command_line_user(), link=link, kind="court-order", note="order 7")
    assert tutela("sync", "run", "nightly").code == 0
    files = read(only_file(inbox))
    assert ["file.users", "delta"] in files["manifest.csv"]
    rows = {row[8]: row for row in files["users.csv"][1:]}
    assert rows["Leo"][1] == "tobedeleted"
    assert rows["Lila"][1] == "active" and rows["Lila"][15] == ""
    assert "Hana" not in rows  # unchanged since the last delivery
    [bulk, delta] = SyncDelivery.objects.order_by("started_at")
    assert delta.kind == "delta" and delta.since == bulk.data_as_of


def test_a_failed_delivery_is_retried_a_bounded_number_of_times_and_shown(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    missing = tmp_path / "share" / "inbox"
    tutela("sync", "add", "lost", "--format", "canvas", "--to", str(missing))
    with override_settings(TUTELA_SYNC_ATTEMPTS=3, TUTELA_SYNC_RETRY_SECONDS=0):
        run = tutela("sync", "run", "lost")
    assert run.code == 1
    assert f"the folder {missing} does not exist, nor its parent" in run.err
    attempts = list(SyncDelivery.objects.order_by("attempt").values_list("attempt", "succeeded"))
    assert attempts == [(1, False), (2, False), (3, False)]
    [failing] = failing_targets(actor=cast.dana)
    assert failing.target.name == "lost" and "does not exist" in failing.delivery.error
    assert failing.delivery.attempt == 3
    assert list(failing_targets(actor=cast.sam)) == []  # district admins only

    missing.parent.mkdir()  # the share is mounted: the folder is made in it
    assert tutela("sync", "run", "lost").code == 0
    assert stat.S_IMODE(missing.stat().st_mode) == 0o700
    assert list(failing_targets(actor=cast.dana)) == []


def test_sync_add_refuses_bad_settings_with_one_line(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    tutela("sync", "add", "one", "--format", "canvas", "--to", str(inbox))
    cases = [
        (("one", "--format", "canvas", "--to", str(inbox)), "already exists"),
        (("two", "--format", "canvas", "--to", "relative/dir"), "absolute path"),
        (("two", "--format", "canvas", "--to", "ftp://x/y"), "only a folder or an sftp://"),
        (("two", "--format", "canvas", "--to", "sftp://host/dir"), "not an SFTP address"),
        (("two", "--format", "schoology", "--to", str(inbox), "--delta"), "no delta"),
        (
            ("two", "--format", "canvas", "--to", str(inbox), "--schools", "99"),
            "--schools 99: no school",
        ),
        (("bad name", "--format", "canvas", "--to", str(inbox)), "letters, digits"),
    ]
    for args, message in cases:
        run = tutela("sync", "add", *args)
        assert run.code == 2, args
        assert message in run.err and len(run.err.strip().splitlines()) == 1, run.err
    assert tutela("sync", "run", "nobody").code == 2
    assert SyncTarget.objects.count() == 1


def test_an_sftp_target_without_a_key_file_fails_clearly(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    tutela("sync", "add", "remote", "--format", "canvas", "--to", "sftp://lms@127.0.0.1:9/in")
    with override_settings(TUTELA_SYNC_SSH_KEY="", TUTELA_SYNC_ATTEMPTS=1):
        run = tutela("sync", "run", "remote")
    assert run.code == 1 and "TUTELA_SYNC_SSH_KEY is not set" in run.err


def test_the_nightly_task_delivers_every_enabled_target(
    cast: Cast, tutela: Callable[..., Run], inbox: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    tutela("sync", "add", "on", "--format", "canvas", "--to", str(inbox))
    tutela("sync", "add", "off", "--format", "canvas", "--to", str(other), "--disabled")
    nightly_sync_task.call_local()
    assert [d.target.name for d in SyncDelivery.objects.all()] == ["on"]
    assert list(other.iterdir()) == []


def test_the_nightly_task_runs_at_tutela_sync_hour() -> None:
    hour = settings.TUTELA_SYNC_HOUR
    at = datetime.datetime(2026, 12, 3, hour, 17)
    assert nightly_sync_task.task_class().validate_datetime(at)
    assert not nightly_sync_task.task_class().validate_datetime(at.replace(hour=(hour + 1) % 24))


def test_who_sees_lists_the_targets_a_student_goes_to_with_which_parents(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    tutela("sync", "add", "all", "--format", "oneroster", "--to", str(inbox))
    tutela("sync", "add", "lakeside", "--format", "canvas", "--to", str(inbox), "--schools", "20")
    tutela("sync", "add", "quiet", "--format", "canvas", "--to", str(inbox), "--no-parents")
    tutela("sync", "add", "hill", "--format", "canvas", "--to", str(inbox), "--schools", "10")
    document = json.loads(tutela("privacy", "who-sees", "3001", "--json").out)
    targets = {t["name"]: t for t in document["sync_targets"]}
    assert set(targets) == {"all", "lakeside", "quiet"}
    assert [p["account"] for p in targets["all"]["parents"]] == ["leo@example.org"]
    assert targets["quiet"]["parents"] == []
    text = tutela("privacy", "who-sees", "3001").out
    assert "Sync targets: 3" in text and "lakeside (canvas" in text
    assert [t.target.name for t in targets_of_student(student=cast.hugo)] == [
        "all",
        "hill",
        "quiet",
    ]
    # Hugo is not granted to Hana: no target names her as his parent.
    assert all(t.parents == [] for t in targets_of_student(student=cast.hugo))


def test_a_delivery_record_keeps_success_and_error_apart(cast: Cast, inbox: Path) -> None:
    target = SyncTarget.objects.create(name="t", format="canvas", destination=str(inbox))
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncDelivery.objects.create(
            target=target,
            started_at=now,
            finished_at=now,
            data_as_of=now,
            kind="bulk",
            succeeded=True,
            error="boom",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncTarget.objects.create(name="u", format="moodle", destination=str(inbox))


def test_the_student_page_lists_the_learning_systems_the_student_goes_to(
    cast: Cast, tutela: Callable[..., Run], inbox: Path
) -> None:
    tutela("sync", "add", "brightspace", "--format", "oneroster", "--to", str(inbox))
    client = Client()
    client.force_login(cast.dana)
    page = client.get(reverse("staff:student", args=[cast.lila.pk])).content.decode()
    assert "Learning systems Lila goes to" in page
    assert "brightspace" in page and "leo@example.org (Leo" in page
