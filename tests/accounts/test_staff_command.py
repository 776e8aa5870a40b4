"""``tutela staff add|list|set-schools|disable``: staff people from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.cast import Cast
from tests.conftest import Run
from tutela.accounts.models import Account, SecurityEvent, SecurityEventKind
from tutela.accounts.scopes import Scope
from tutela.accounts.services import EMAIL_IN_USE, activate_account

pytestmark = pytest.mark.django_db


Tutela = Callable[..., Run]


def add(tutela: Tutela, *args: str) -> Run:
    return tutela("staff", "add", *args)


def test_add_makes_a_school_admin_of_the_named_schools_and_emails_a_link(
    cast: Cast, tutela: Tutela, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = add(tutela, "sara", "--email", "Sara@Example.org", "--role", "school-admin",
                  "--school", "10", "--school", "20")  # fmt: skip
    assert run.code == 0, run.err
    sara = Account.objects.get(username="sara")
    assert (sara.is_staff, sara.is_district_admin, sara.contact_id) == (True, False, None)
    assert Scope.of(sara).school_ids == {cast.hillcrest.pk, cast.lakeside.pk}
    assert not sara.has_usable_password()
    assert [m.to for m in mail.outbox] == [["Sara@example.org"]]  # the domain in lower case
    assert "staff account" in mail.outbox[0].subject
    token = mail.outbox[0].body.split("/accounts/activate/")[1].split("/")[0]
    assert token not in run.out and token not in run.err
    activate_account(token=token, password="a long new staff passphrase")
    sara.refresh_from_db()
    assert sara.has_usable_password()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_CREATED, account=sara)


def test_add_a_district_admin_and_a_teacher(cast: Cast, tutela: Tutela) -> None:
    assert add(tutela, "dora", "--email", "dora@example.org", "--role", "district-admin").code == 0
    assert Scope.of(Account.objects.get(username="dora")).is_district_admin
    run = add(tutela, "tom", "--email", "tom@example.org", "--role", "teacher", "--school", "10")
    assert run.code == 0, run.err
    tom = Account.objects.get(username="tom")
    # A teacher reaches the sections they teach, not their school's students.
    assert not tom.is_staff and Scope.of(tom).school_ids == frozenset()


def test_school_numbers_follow_one_school_option_or_several(cast: Cast, tutela: Tutela) -> None:
    run = add(tutela, "sara", "--school", "10", "20", "--email", "s@example.org", "--role",
              "school-admin")  # fmt: skip
    assert run.code == 0, run.err
    sara = Account.objects.get(username="sara")
    assert Scope.of(sara).school_ids == {cast.hillcrest.pk, cast.lakeside.pk}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "school-admin"], "tutela: a school admin needs at least one school\n"),
        (["--role", "school-admin", "--school", "99"], "tutela: no school has the number 99\n"),
        (
            ["--role", "district-admin", "--school", "10"],
            "tutela: a district admin covers every school: schools are for other roles\n",
        ),
    ],
)
def test_add_refuses_a_role_with_the_wrong_schools(
    cast: Cast, tutela: Tutela, args: list[str], message: str
) -> None:
    run = add(tutela, "sara", "--email", "sara@example.org", *args)
    assert (run.code, run.err) == (2, message)
    assert not Account.objects.filter(username="sara").exists()


def test_add_refuses_an_unknown_role_on_one_line(cast: Cast, tutela: Tutela) -> None:
    run = add(tutela, "sara", "--email", "sara@example.org", "--role", "janitor")
    assert run.code == 2 and "invalid choice: 'janitor'" in run.err
    assert run.err.count("\n") == 1


def test_add_refuses_a_taken_username_or_email_ignoring_case(cast: Cast, tutela: Tutela) -> None:
    run = add(tutela, "DANA", "--email", "new@example.org", "--role", "teacher")
    assert (run.code, run.err) == (2, "tutela: Username not available\n")
    run = add(tutela, "hana2", "--email", "HANA@example.org", "--role", "teacher")
    assert (run.code, run.err) == (2, f"tutela: {EMAIL_IN_USE}\n")
    run = add(tutela, "no one", "--email", "x@example.org", "--role", "teacher")
    assert run.code == 2 and "is not a username" in run.err


def test_list_shows_each_staff_person_with_role_and_schools(cast: Cast, tutela: Tutela) -> None:
    run = tutela("staff", "list")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "dana\tdistrict-admin\tall\t-\tenabled\tnever signed in",
        "sam\tschool-admin\t20\t-\tenabled\tnever signed in",
    ]
    listed = json.loads(tutela("staff", "list", "--json").out)["staff"]
    assert [p["username"] for p in listed] == ["dana", "sam"]  # parents are not staff
    assert listed[1] == {
        "username": "sam",
        "email": "",
        "first_name": "",
        "last_name": "",
        "role": "school-admin",
        "schools": ["20"],
        "enabled": True,
        "last_sign_in": None,
    }


def test_set_schools_replaces_the_schools(cast: Cast, tutela: Tutela) -> None:
    run = tutela("staff", "set-schools", "SAM", "10")
    assert (run.code, run.out) == (0, "sam now covers schools: 10\n")
    assert Scope.of(Account.objects.get(username="sam")).school_ids == {cast.hillcrest.pk}
    run = tutela("staff", "set-schools", "sam")
    assert (run.code, run.err) == (2, "tutela: a school admin needs at least one school\n")
    run = tutela("staff", "set-schools", "hana.hill", "10")
    assert (run.code, run.err) == (2, "tutela: no staff account with username 'hana.hill'\n")


def test_disable_stops_a_staff_person(cast: Cast, tutela: Tutela) -> None:
    run = tutela("staff", "disable", "sam")
    assert (run.code, run.out) == (0, "Disabled sam\n")
    assert Scope.of(Account.objects.get(username="sam")).reaches_nothing
    assert tutela("staff", "disable", "nobody").code == 2
