"""The Django admin pages for accounts and security events open for a superuser."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/account/",
        "/admin/accounts/account/add/",
        "/admin/accounts/securityevent/",
    ],
)
def test_admin_pages_open(cast: Cast, url: str) -> None:
    root = AccountFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get(url).status_code == 200
    assert client.get(f"/admin/accounts/account/{cast.sam.pk}/change/").status_code == 200


def test_a_staff_accounts_schools_and_groups_are_audited(cast: Cast) -> None:
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Group

    from tutela.core.audit import audited

    readers = Group.objects.create(name="readers")
    with audited(cast.dana):
        cast.sam.schools.add(cast.hillcrest)
        cast.sam.groups.add(readers)
    entries = LogEntry.objects.get_for_object(cast.sam).filter(actor=cast.dana)
    changed = {name for entry in entries for name in entry.changes_dict}
    assert {"schools", "groups"} <= changed
