"""The names Tutela gives what it hands to learning systems.

A learning system keys every user, school and class by its OneRoster ``sourcedId`` and keeps
what it attached to it (grades, messages, observers) under that key; a sourcedId that changed
would make it a new person there. So each is fixed the first time it is given out and kept
here, whatever is renamed or re-numbered afterwards.
"""

from __future__ import annotations

from django.db import models


class SourcedKind(models.TextChoices):
    """What a sourcedId names: each kind numbers its objects by the model's own primary key."""

    DISTRICT = "district", "district"
    SCHOOL = "school", "school"
    STUDENT = "student", "student"
    CONTACT = "contact", "contact"
    STAFF = "staff", "staff member"
    SECTION = "section", "class section"
    COURSE = "course", "course"
    SESSION = "session", "academic session"


class SourcedId(models.Model):
    """The fixed OneRoster sourcedId of one object of one kind.

    Unique across kinds: students, parents and teachers share OneRoster's users, and a
    learning system given the same id twice would merge two people. Not audited one by one:
    the ids are given out in bulk by every export and say nothing about a child.
    """

    kind = models.CharField(max_length=16, choices=SourcedKind.choices)
    object_id = models.PositiveBigIntegerField()
    sourced_id = models.CharField("sourcedId", max_length=255, unique=True)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [
            models.UniqueConstraint("kind", "object_id", name="one_sourced_id_per_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.sourced_id}"


class RosteringClient(models.Model):
    """A learning system allowed to read the OneRoster API: its OAuth 2.0 application (the
    client id and the hash of its secret) and the schools it is limited to.

    A client with no schools reads the whole district. Either way it sees a parent only for
    the children the district granted (``selection.py``).
    """

    name = models.CharField(max_length=200)
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="rostering_client"
    )
    schools = models.ManyToManyField("people.School", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ClientRequest(models.Model):
    """One request a client made of the OneRoster API: what it asked and how many records it
    was given, for the district's record of who read what. Never the token. The recent rows
    are also what the per-client rate limit counts."""

    client = models.ForeignKey(RosteringClient, on_delete=models.CASCADE, related_name="requests")
    endpoint = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index("client", "at", name="client_request_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.client_id} {self.endpoint} {self.status}"
