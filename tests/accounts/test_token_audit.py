"""Voiding and using activation and reset links leaves an audit entry naming who did it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry

from tests.accounts.conftest import token_of
from tests.cast import Cast
from tutela.accounts.models import AccessToken, TokenPurpose
from tutela.accounts.services import (
    activate_account,
    hash_token,
    request_password_reset,
    send_activation,
    set_temporary_password,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "seven quiet harbours glow"


@pytest.fixture
def emailed_token(emailed: Callable[..., str]) -> Callable[..., str]:
    """Run a service and return the raw token of the link in the email it sent."""
    return lambda action, *args, **kwargs: token_of(emailed(action, *args, **kwargs))


def updates_of(token: AccessToken) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(token).filter(action=LogEntry.Action.UPDATE))


def assert_no_secret(entry: LogEntry, *secrets: str) -> None:
    text = f"{entry.changes} {entry.object_repr} {entry.serialized_data} {entry.additional_data}"
    assert "token_hash" not in text
    for secret in secrets:
        assert secret not in text
        assert hash_token(secret) not in text


def test_a_new_activation_link_voids_the_old_one_in_the_audit_trail(
    cast: Cast, emailed_token: Callable[..., str]
) -> None:
    first = emailed_token(send_activation, actor=cast.dana, account=cast.hana)
    second = emailed_token(send_activation, actor=cast.dana, account=cast.hana)
    old = AccessToken.objects.get(token_hash=hash_token(first))
    [entry] = updates_of(old)
    assert entry.actor == cast.dana
    assert list(entry.changes_dict) == ["voided_at"]
    assert_no_secret(entry, first, second)


def test_using_a_link_records_the_use_and_voids_the_others_as_the_parent(
    cast: Cast, emailed_token: Callable[..., str]
) -> None:
    activation = emailed_token(send_activation, actor=cast.dana, account=cast.hana)
    reset = emailed_token(request_password_reset, identifier="hana.hill")
    activate_account(token=activation, password=NEW_PASSWORD)
    [used] = updates_of(AccessToken.objects.get(token_hash=hash_token(activation)))
    assert (used.actor, list(used.changes_dict)) == (cast.hana, ["used_at"])
    [voided] = updates_of(AccessToken.objects.get(purpose=TokenPurpose.PASSWORD_RESET))
    assert (voided.actor, list(voided.changes_dict)) == (cast.hana, ["voided_at"])
    for entry in (used, voided):
        assert_no_secret(entry, activation, reset, NEW_PASSWORD)


def test_a_temporary_password_voids_outstanding_links_in_the_audit_trail(
    cast: Cast, emailed_token: Callable[..., str]
) -> None:
    raw = emailed_token(send_activation, actor=cast.dana, account=cast.hana)
    set_temporary_password(actor=cast.dana, account=cast.hana, password=NEW_PASSWORD)
    [entry] = updates_of(AccessToken.objects.get(token_hash=hash_token(raw)))
    assert (entry.actor, list(entry.changes_dict)) == (cast.dana, ["voided_at"])
    assert_no_secret(entry, raw, NEW_PASSWORD)
