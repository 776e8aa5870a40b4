"""Every AutoCreate URL is checked against the wrong people, with no URL forgotten.

AutoCreate works across the district, so only district admins reach it: a school admin, a
teacher and parents get 403 on every page (the reports name every family), visitors who are
not signed in are sent to sign-in. When a URL is added to ``provisioning/urls.py`` it must be
added here too; the first test fails until it is.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, client_as
from tutela.provisioning.models import AutoCreateJob, EmailTemplate
from tutela.provisioning.urls import urlpatterns

pytestmark = pytest.mark.django_db

# URL name -> (how to build it for the cast, a finished job and a template; method)
URLS: dict[str, tuple[Callable[[Cast, AutoCreateJob, EmailTemplate], str], str]] = {
    "provisioning:autocreate": (lambda c, j, t: reverse("provisioning:autocreate"), "get"),
    "provisioning:job": (lambda c, j, t: reverse("provisioning:job", args=[j.pk]), "get"),
    "provisioning:job-progress": (
        lambda c, j, t: reverse("provisioning:job-progress", args=[j.pk]),
        "get",
    ),
    "provisioning:job-plan": (lambda c, j, t: reverse("provisioning:job-plan", args=[j.pk]), "get"),
    "provisioning:job-run": (lambda c, j, t: reverse("provisioning:job-run", args=[j.pk]), "post"),
    "provisioning:job-retry": (
        lambda c, j, t: reverse("provisioning:job-retry", args=[j.pk]),
        "post",
    ),
    "provisioning:templates": (lambda c, j, t: reverse("provisioning:templates"), "get"),
    "provisioning:template-new": (lambda c, j, t: reverse("provisioning:template-new"), "get"),
    "provisioning:template": (
        lambda c, j, t: (
            reverse("provisioning:template", args=[t.pk]) + f"?contact={c.hana_contact.pk}"
        ),
        "get",
    ),
}


def test_every_autocreate_url_is_listed_here() -> None:
    assert {f"provisioning:{p.name}" for p in urlpatterns} == set(URLS)


def finished_job(cast: Cast) -> AutoCreateJob:
    return AutoCreateJob.objects.create(
        actor=cast.dana,
        simulate=True,
        status=AutoCreateJob.Status.DONE,
        plan_csv_gz=gzip.compress(b"Student_Number,Contact\n2001,Hana Hill\n"),
    )


def test_the_district_admin_reaches_the_report_the_others_are_refused(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.dana)
    plan = client.get(reverse("provisioning:job-plan", args=[finished_job(cast).pk]))
    assert plan.status_code == 200 and b"2001,Hana Hill" in plan.getvalue()


@pytest.mark.parametrize("who", ["hana", "leo", "sam", "lou", "anonymous"])
def test_everyone_but_a_district_admin_is_refused_everywhere(cast: Cast, who: str) -> None:
    job = finished_job(cast)
    template = EmailTemplate.objects.get(kind="account_created", language="en")
    client = client_as(cast, who)
    for name, (build, method) in URLS.items():
        response: Any = getattr(client, method)(build(cast, job, template))
        if who == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:sign-in")), name
        else:
            assert response.status_code == 403, (who, name, response.status_code)
        assert b"Hana" not in response.content and b"2001" not in response.content, (who, name)
    assert AutoCreateJob.objects.count() == 1  # nothing was run for real
