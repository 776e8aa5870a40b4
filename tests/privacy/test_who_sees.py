"""Who sees this child: every account, through which link and detail, since when, granted by
whom and by what (staff screen, command line, access code, AutoCreate job N, an import)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest

from tests.cast import Cast
from tests.conftest import Run
from tutela.accesscodes.services.linking import grant_link
from tutela.people.models import StudentContact, StudentContactDetail
from tutela.people.services import LinkRights, update_link_detail
from tutela.privacy.whosees import who_sees
from tutela.provisioning.models import AutoCreateJob

pytestmark = pytest.mark.django_db


def hana_hugo_detail(cast: Cast) -> StudentContactDetail:
    return StudentContactDetail.objects.get(
        link__contact=cast.hana_contact, link__student=cast.hugo
    )


def test_who_sees_lists_each_account_with_its_link_detail_and_source(
    tutela: Callable[..., Run], cast: Cast
) -> None:
    run = tutela("privacy", "who-sees", "3001", "--json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    detail = link.details.get()
    # Una has data access but no account: she sees nothing in the portal, so is not listed.
    assert document["student"] == "3001"
    [leo] = document["accounts"]
    assert leo["account"] == "leo@example.org"
    assert (leo["contact_id"], leo["link_id"], leo["detail_id"]) == (
        cast.leo_contact.pk,
        link.pk,
        detail.pk,
    )
    assert leo["relationship"] == "Father"
    assert leo["granted_through"] == "command line"
    assert "(command line)" in leo["granted_by"] and leo["since"]

    text = tutela("privacy", "who-sees", "3001")
    assert "1 accounts see this student" in text.out
    assert "leo@example.org: contact" in text.out and "through command line" in text.out


def test_a_grant_on_the_staff_screens_names_the_staff_member(cast: Cast) -> None:
    update_link_detail(
        actor=cast.dana,
        detail=hana_hugo_detail(cast),
        relationship_type="Mother",
        rights=LinkRights(allow_data_access=True),
    )
    [grant] = who_sees(student=cast.hugo)
    assert grant.viewer.account == cast.hana
    assert (grant.source, grant.granted_by) == ("staff screen", "dana")


def test_a_parents_own_access_code_is_named(cast: Cast) -> None:
    grant_link(actor=cast.leo, account=cast.leo, student=cast.holly)
    sources = {g.viewer.account.username: g.source for g in who_sees(student=cast.holly)}
    assert sources == {"hana.hill": "command line", "leo@example.org": "access code"}


def test_a_bulk_grant_is_named_by_its_autocreate_job_or_as_an_import(cast: Cast) -> None:
    StudentContactDetail.objects.filter(pk=hana_hugo_detail(cast).pk).update(allow_data_access=True)
    [grant] = who_sees(student=cast.hugo)
    assert grant.source == "an import (written in bulk)"
    plan = (
        "student,student_name,contact,contact_name,email,action,reason,account\n"
        f"2002,Hugo Hill,{cast.hana_contact.pk},Hana Hill,hana@example.org,attach,,hana.hill\n"
    )
    job = AutoCreateJob.objects.create(
        simulate=False,
        status="done",
        actor_name="dana",
        plan_csv_gz=gzip.compress(plan.encode()),
    )
    [grant] = who_sees(student=cast.hugo)
    assert (grant.source, grant.granted_by) == (f"AutoCreate job {job.pk}", "dana")


def test_an_unknown_student_exits_2(tutela: Callable[..., Run], cast: Cast) -> None:
    run = tutela("privacy", "who-sees", "9999")
    assert run.code == 2 and "STUDENT_NUMBER 9999" in run.err
