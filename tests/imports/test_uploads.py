"""Uploaded import files: stored with mode 600 under TUTELA_HOME, refused above the size
limit or in a format the readers do not read, and deleted after TUTELA_UPLOAD_KEEP_DAYS."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from tests.cast import Cast
from tutela.core.audit import command_line_user
from tutela.core.tabular import FileProblem
from tutela.imports.models import ImportUpload
from tutela.imports.tasks import delete_old_uploads_task
from tutela.imports.uploads import delete_old_uploads, store_upload, stored_path, upload_folder

pytestmark = pytest.mark.django_db

FILE = b"Student_Number,First_Name,Last_Name,SchoolID\n1001,Ann,Lee,10\n1002,Bo,Lee,10\n"


@pytest.fixture(autouse=True)
def home(settings: Settings, tmp_path: Path) -> Path:
    settings.TUTELA_HOME = tmp_path
    return tmp_path


def stored(name: str = "students.csv", data: bytes = FILE) -> ImportUpload:
    return store_upload(kind="students", file_name=name, chunks=[data], actor=command_line_user())


def test_an_upload_is_stored_readable_by_tutela_only_and_described(home: Path) -> None:
    upload = stored()
    path = stored_path(upload)
    assert path.parent == home / "uploads"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert path.read_bytes() == FILE
    assert (upload.file_name, upload.rows, upload.size) == ("students.csv", 2, len(FILE))
    assert upload.headers == ["Student_Number", "First_Name", "Last_Name", "SchoolID"]
    assert upload.sample[0] == ["1001", "Ann", "Lee", "10"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("students.pdf", FILE, "students.pdf: unsupported file type '.pdf'"),
        ("students.csv", b"Student_Number\n", "students.csv: the file has a header but no data"),
        ("students.csv", b"", "students.csv: the file is empty"),
    ],
)
def test_an_unreadable_upload_is_refused_naming_the_file_and_not_kept(
    name: str, data: bytes, message: str
) -> None:
    with pytest.raises(FileProblem, match=message):
        stored(name, data)
    assert not ImportUpload.objects.exists()
    assert list(upload_folder().iterdir()) == []


def test_the_screen_refuses_a_file_above_the_limit_with_its_size(
    cast: Cast, settings: Settings
) -> None:
    settings.TUTELA_UPLOAD_MAX_MB = 1
    client = Client()
    client.force_login(cast.dana)
    big = SimpleUploadedFile("students.csv", FILE + b"1003,Cy,Lee,10\n" * 80_000)
    page = client.post(reverse("staff:imports:new"), {"kind": "students", "file": big})
    assert page.status_code == 200
    assert "The file is too large: Tutela accepts files of up to 1 MB." in page.content.decode()
    assert not ImportUpload.objects.exists()


def test_the_upload_limit_is_100_mb_unless_set() -> None:
    from django.conf import settings as configured

    assert int(os.environ.get("TUTELA_UPLOAD_MAX_MB", 100)) == configured.TUTELA_UPLOAD_MAX_MB
    assert not hasattr(configured, "TUTELA_MAX_UPLOAD_MB")  # one setting, the documented name


def test_uploads_older_than_the_keep_days_are_deleted_with_stray_files(settings: Settings) -> None:
    settings.TUTELA_UPLOAD_KEEP_DAYS = 30
    old, recent = stored("old.csv"), stored("recent.csv")
    ImportUpload.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(days=31)
    )
    stray = upload_folder() / "abandoned.csv"
    stray.write_bytes(FILE)
    long_ago = (timezone.now() - datetime.timedelta(days=40)).timestamp()
    os.utime(stray, (long_ago, long_ago))
    assert delete_old_uploads(actor=command_line_user()) == 1
    assert list(ImportUpload.objects.all()) == [recent]
    assert sorted(p.name for p in upload_folder().iterdir()) == [recent.stored_name]


def test_the_daily_clean_up_is_a_periodic_task(settings: Settings) -> None:
    settings.TUTELA_UPLOAD_KEEP_DAYS = 0
    upload = stored()
    ImportUpload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    delete_old_uploads_task.call_local()
    assert not ImportUpload.objects.exists() and not stored_path(upload).exists()
