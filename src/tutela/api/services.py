"""Adding and removing the learning systems that may read rosters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import Application

from tutela.api.models import ClientSchools
from tutela.people.models import School


@dataclass(frozen=True)
class NewClient:
    """A client just made: the only moment its secret is known in the clear."""

    client_id: str
    client_secret: str


def add_client(*, name: str, schools: Sequence[School] = ()) -> NewClient:
    """A client-credentials client named ``name``, limited to ``schools`` when given.

    Only the secret's hash is stored (django-oauth-toolkit hashes it on save).
    """
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=name,
            client_id=generate_client_id(),
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            hash_client_secret=True,
        )
        application.save()
        if schools:
            limits = ClientSchools.objects.create(application=application)
            limits.schools.set(schools)
    return NewClient(application.client_id, secret)


def remove_client(*, client_id: str) -> bool:
    """Remove a client and every token it was given; whether there was one."""
    deleted, _ = Application.objects.filter(client_id=client_id).delete()
    return deleted > 0
