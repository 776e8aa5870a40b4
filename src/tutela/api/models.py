"""The learning systems that may read rosters through the OneRoster API.

A client is django-oauth-toolkit's ``Application`` (a client id and the hash of its secret);
what Tutela adds is the schools it is limited to, so a school's own classroom app sees only
that school's students and their parents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ClientSchools(models.Model):
    """The schools one API client may read; a client with none reads the whole district."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="tutela_limits",
    )
    schools = models.ManyToManyField("people.School", blank=True, related_name="api_clients")

    class Meta:
        verbose_name = "API client's schools"
        verbose_name_plural = "API clients' schools"

    def __str__(self) -> str:
        return f"schools of {self.application}"
