"""The learning systems allowed to read the OneRoster API, and the changes made to them.

Each client is a django-oauth-toolkit application that may only use the client-credentials
grant. Its secret is shown once, when it is made: the toolkit keeps only a hash of it, so a
lost secret means a new client, never a look-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import audited
from tutela.people.models import School
from tutela.rostering.listings import forget_unused_listings
from tutela.rostering.models import RosteringClient


class ClientError(Exception):
    """A client change that cannot be made, said in one line."""


@dataclass(frozen=True)
class NewClient:
    """A client just made, with the only copy of its secret Tutela will ever hold."""

    client: RosteringClient
    client_id: str
    client_secret: str


def add_client(*, actor: Actor, name: str, schools: Sequence[School] = ()) -> NewClient:
    """Make a client named ``name``, limited to ``schools`` when any are given."""
    name = name.strip()
    if not name:
        raise ClientError("NAME: a client needs a name")
    if not Scope.of(actor).district_wide:
        raise ClientError("only a district administrator can add an API client")
    secret = generate_client_secret()
    with transaction.atomic(), audited(actor):
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        client = RosteringClient.objects.create(name=name, application=application)
        client.schools.set(schools)
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


def remove_client(*, actor: Actor, client_id: str) -> RosteringClient:
    """Remove the client with ``client_id``: its tokens stop working at once."""
    if not Scope.of(actor).district_wide:
        raise ClientError("only a district administrator can remove an API client")
    client = (
        RosteringClient.objects.filter(application__client_id=client_id.strip())
        .select_related("application")
        .first()
    )
    if client is None:
        raise ClientError(f"CLIENT_ID {client_id.strip()}: no API client has this id")
    with transaction.atomic(), audited(actor):
        # The application's tokens go with it (the toolkit's foreign keys cascade).
        client.application.delete()
        forget_unused_listings()
    return client


def clients() -> list[RosteringClient]:
    """Every client, with its application and schools, by name."""
    return list(RosteringClient.objects.select_related("application").prefetch_related("schools"))
