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


class ListedCollection(models.TextChoices):
    """The collections of users a OneRoster client walks page by page."""

    USERS = "users", "users"
    STUDENTS = "students", "students"
    TEACHERS = "teachers", "teachers"


class UserListing(models.Model):
    """The users one scope may see in one collection, in sourcedId order, stored so that a
    page of the OneRoster API reads only its own rows (``listings.py``).

    ``scope`` is ``district`` or the primary keys of the schools a client is limited to:
    clients with the same schools share one listing. ``marker`` is the change marker it was
    built at; a page that finds another one rebuilds the listing first.
    """

    scope = models.TextField()
    collection = models.CharField(max_length=16, choices=ListedCollection.choices)
    built_at = models.DateTimeField()
    marker = models.TextField()
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scope", "collection"]
        constraints = [
            models.UniqueConstraint("scope", "collection", name="one_listing_per_scope"),
            models.CheckConstraint(
                condition=models.Q(collection__in=ListedCollection.values),
                name="user_listing_collection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection} of {self.scope} ({self.total})"


class ListedUser(models.Model):
    """One user of a listing at its place in sourcedId order (0 is the first), with the
    sourcedId and when it was given, copied so that a page needs no other look-up to order."""

    # The key is (listing, position): its one index serves every read and the delete, and
    # a rebuild writes no sequence and no second index for 190,000 rows. No foreign-key
    # constraint: entries are only written by their listing's own build, in its transaction,
    # and checking 190,000 of them at commit took PostgreSQL a second.
    pk = models.CompositePrimaryKey("listing", "position")
    listing = models.ForeignKey(
        UserListing,
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=SourcedKind.choices)
    object_id = models.PositiveBigIntegerField()
    sourced_id = models.CharField("sourcedId", max_length=255)
    given_at = models.DateTimeField()

    class Meta:
        ordering = ["listing", "position"]

    def __str__(self) -> str:
        return f"{self.listing_id} #{self.position}: {self.sourced_id}"


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


class SyncFormat(models.TextChoices):
    """The package a sync target receives."""

    ONEROSTER = "oneroster", "OneRoster 1.1 CSV"
    CANVAS = "canvas", "Canvas SIS"
    SCHOOLOGY = "schoology", "Schoology"


class SyncMode(models.TextChoices):
    """Whether a target gets everything every night or only what changed since its last
    successful delivery (its first delivery is always everything)."""

    BULK = "bulk", "bulk (everything)"
    DELTA = "delta", "delta (changes since the last delivery)"


class SyncTarget(models.Model):
    """A learning system Tutela delivers a package to every night: a folder on this server or
    an SFTP server, with the seed's per-domain settings.

    ``include_parents`` off is PowerSchool Learning's "Ignore Parents from the SIS";
    ``parents_in_rosters`` is its "Allow Parents in Rosters" (parents see their children's
    classes: the parent-child pairs are sent). ``host_key`` is the SFTP server's key, pinned
    the first time Tutela connects: a server that later shows another key is refused.
    """

    name = models.SlugField(max_length=64, unique=True)
    format = models.CharField(max_length=16, choices=SyncFormat.choices)
    destination = models.CharField(
        max_length=500, help_text="a folder on this server or sftp://USER@HOST[:PORT]/DIR"
    )
    schools = models.ManyToManyField(
        "people.School", blank=True, related_name="sync_targets", help_text="none: every school"
    )
    include_parents = models.BooleanField(default=True)
    parents_in_rosters = models.BooleanField(default=True)
    mode = models.CharField(max_length=8, choices=SyncMode.choices, default=SyncMode.BULK)
    enabled = models.BooleanField(default=True, help_text="delivered by the nightly run")
    host_key = models.TextField(blank=True, help_text="the SFTP server's pinned host key")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(format__in=SyncFormat.values), name="sync_target_format"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=SyncMode.values), name="sync_target_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_format_display()} to {self.destination})"


class SyncDelivery(models.Model):
    """One attempt at delivering a target's package: when, what, how many rows of each file,
    the file's SHA-256, and success or the error. A failed attempt is retried a bounded number
    of times (``attempt`` counts them) and a target whose last attempt failed is shown on the
    staff home."""

    target = models.ForeignKey(SyncTarget, on_delete=models.CASCADE, related_name="deliveries")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    # The moment the package's data was read: the next delta sends what changed after it.
    data_as_of = models.DateTimeField()
    kind = models.CharField(max_length=16, help_text="bulk, delta, canvas or schoology")
    since = models.DateTimeField(null=True, blank=True, help_text="a delta's starting point")
    file_name = models.CharField(max_length=255)
    counts = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name_plural = "sync deliveries"
        constraints = [
            models.CheckConstraint(condition=models.Q(attempt__gte=1), name="sync_attempt_from_1"),
            models.CheckConstraint(
                condition=models.Q(succeeded=False) | models.Q(error=""),
                name="sync_success_has_no_error",
            ),
        ]

    def __str__(self) -> str:
        outcome = "delivered" if self.succeeded else "failed"
        return f"{self.target.name} {self.started_at:%Y-%m-%d %H:%M} {outcome}"
