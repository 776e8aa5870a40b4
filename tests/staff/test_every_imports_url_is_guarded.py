"""Every imports URL is checked against the wrong people, with no URL forgotten.

The imports area is for staff: parents, a teacher who is not staff, and visitors who are not
signed in get no import page (403, or sign-in). A school admin reaches the area itself but
not a district admin's upload or job (404, nothing of it shown). When a URL is added to
``staff/imports/urls.py`` it must be added here too; the first test fails until it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, client_as
from tests.staff.imports_helpers import run_queued, upload_file
from tutela.imports.models import ImportJob, ImportUpload
from tutela.staff.imports.urls import urlpatterns

pytestmark = pytest.mark.django_db

Build = Callable[[ImportUpload, ImportJob], str]

# URL name -> (how to build it for Dana's upload and its preview job; method)
URLS: dict[str, tuple[Build, str]] = {
    "staff:imports:history": (lambda u, j: reverse("staff:imports:history"), "get"),
    "staff:imports:new": (lambda u, j: reverse("staff:imports:new"), "get"),
    "staff:imports:upload": (lambda u, j: reverse("staff:imports:upload", args=[u.pk]), "get"),
    "staff:imports:map": (lambda u, j: reverse("staff:imports:map", args=[u.pk]), "get"),
    "staff:imports:progress": (lambda u, j: reverse("staff:imports:progress", args=[u.pk]), "get"),
    "staff:imports:confirm": (lambda u, j: reverse("staff:imports:confirm", args=[u.pk]), "post"),
    "staff:imports:job": (lambda u, j: reverse("staff:imports:job", args=[j.pk]), "get"),
    "staff:imports:rejected": (lambda u, j: reverse("staff:imports:rejected", args=[j.pk]), "get"),
    "staff:imports:rows": (lambda u, j: reverse("staff:imports:rows", args=[j.pk]), "get"),
}

# What Sam (school admin of Lakeside) gets: the area, never Dana's upload or job.
SAM = {"staff:imports:history": 200, "staff:imports:new": 200}


def test_every_imports_url_is_listed_here() -> None:
    assert {f"staff:imports:{p.name}" for p in urlpatterns} == set(URLS)


@pytest.fixture
def previewed(cast: Cast, queue: list[int]) -> tuple[ImportUpload, ImportJob]:
    """Dana's upload of a file naming Holly (2001), previewed."""
    client = Client()
    client.force_login(cast.dana)
    client.post(reverse("staff:imports:new"), {"kind": "contacts", "file": upload_file()})
    upload = ImportUpload.objects.get()
    client.post(
        reverse("staff:imports:map", args=[upload.pk]),
        {
            f"column_{i}": f
            for i, f in enumerate(
                [
                    "Identifier",
                    "LastName",
                    "FirstName",
                    "EmailAddress",
                    "StudentNumber",
                    "RelationshipType",
                ]
            )
        },
    )
    run_queued(queue)
    upload.refresh_from_db()
    assert upload.preview is not None
    return upload, upload.preview


def test_the_uploader_reaches_every_page(
    previewed: tuple[ImportUpload, ImportJob], cast: Cast
) -> None:
    client = client_as(cast, "dana")
    for name, (build, method) in URLS.items():
        if method == "get":
            response: Any = client.get(build(*previewed), follow=True)
            assert response.status_code == 200, name


@pytest.mark.parametrize("who", ["hana", "leo", "lou", "sam", "anonymous"])
def test_everyone_else_is_refused(
    previewed: tuple[ImportUpload, ImportJob], cast: Cast, queue: list[int], who: str
) -> None:
    client = client_as(cast, who)
    for name, (build, method) in URLS.items():
        response: Any = getattr(client, method)(build(*previewed))
        if who == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:sign-in")), name
        elif who == "sam":
            assert response.status_code == SAM.get(name, 404), (name, response.status_code)
        else:
            assert response.status_code == 403, (who, name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Nash" not in body and b"contacts.csv" not in body, (who, name)
    assert queue == []  # nobody else confirmed Dana's preview
    assert ImportJob.objects.count() == 1
