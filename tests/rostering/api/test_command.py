"""``tutela api add-client``, ``list-clients`` and ``remove-client``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from oauth2_provider.models import Application

from tests.cast import Cast
from tests.conftest import Run
from tests.rostering.api.conftest import ask_token
from tutela.rostering.clients import NewClient
from tutela.rostering.models import RosteringClient

pytestmark = pytest.mark.django_db


def test_add_client_prints_its_id_and_secret_once_and_keeps_only_a_hash(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    done = tutela("api", "add-client", "Schoology", "--school", "20")
    assert done.code == 0, done.err
    printed = json.loads(done.out)
    assert set(printed) == {"client_id", "client_secret"}
    application = Application.objects.get(client_id=printed["client_id"])
    assert printed["client_secret"] not in application.client_secret
    client = RosteringClient.objects.get(application=application)
    assert [school.school_number for school in client.schools.all()] == ["20"]
    made = NewClient(client, printed["client_id"], printed["client_secret"])
    assert ask_token(made).status_code == 200
    listed = tutela("api", "list-clients")
    assert listed.code == 0
    assert printed["client_secret"] not in listed.out
    (entry,) = json.loads(listed.out)
    assert entry["client_id"] == printed["client_id"]
    assert (entry["name"], entry["schools"]) == ("Schoology", ["20"])


def test_remove_client_ends_it(cast: Cast, tutela: Callable[..., Run]) -> None:
    printed = json.loads(tutela("api", "add-client", "Canvas").out)
    done = tutela("api", "remove-client", printed["client_id"])
    assert done.code == 0, done.err
    assert printed["client_id"] in done.out
    assert not Application.objects.filter(client_id=printed["client_id"]).exists()
    assert json.loads(tutela("api", "list-clients").out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-client", "Canvas", "--school", "99"), "--school 99: no school has this number"),
        (("add-client", " "), "NAME: a client needs a name"),
        (("remove-client", "nope"), "CLIENT_ID nope: no API client has this id"),
    ],
)
def test_a_wrong_value_exits_2_with_one_line(
    cast: Cast, tutela: Callable[..., Run], args: tuple[str, ...], message: str
) -> None:
    done = tutela("api", *args)
    assert done.code == 2
    assert message in done.err and "Traceback" not in done.err
    assert RosteringClient.objects.count() == 0


def test_a_client_is_limited_to_schools_named_after_one_flag_or_several(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    for name, flags in (
        ("Canvas", ["--school", "10", "20"]),
        ("Schoology", ["--school", "10", "--school", "20"]),
    ):
        done = tutela("api", "add-client", name, *flags)
        assert done.code == 0, done.err
        client = RosteringClient.objects.get(name=name)
        assert sorted(school.school_number for school in client.schools.all()) == ["10", "20"]
