"""Schools, students, contacts (parents and guardians) and the records that hang off a contact.

The shape follows PowerSchool's contact tables, because that is what districts' files look like:
a contact is a person; emails, phones and addresses are *associations* with their own ids; a
contact's link to a student holds one or more dated detail records with the flags that decide
custody, pickup and portal data access.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower


class CodeType(models.TextChoices):
    GENDER = "Gender"
    PREFIX = "Prefix"
    SUFFIX = "Suffix"
    EMAIL_TYPE = "EmailType"
    PHONE_TYPE = "PhoneType"
    ADDRESS_TYPE = "AddressType"
    RELATIONSHIP_TYPE = "RelationshipType"
    COUNTRY = "Country"
    STATE = "State"


class Code(models.Model):
    """One value of a district-editable code set, matched case-insensitively on input.

    States carry their country as parent, so the same state code may exist under two
    countries (``US_PR`` and ``BR_PR``), as PowerSchool allows.
    """

    code_type = models.CharField(max_length=32, choices=CodeType.choices)
    code = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code_type", "id"]
        constraints = [
            models.UniqueConstraint(
                "code_type",
                Lower("code"),
                condition=Q(parent__isnull=True),
                name="code_unique_per_type",
            ),
            models.UniqueConstraint(
                "code_type",
                "parent",
                Lower("code"),
                condition=Q(parent__isnull=False),
                name="code_unique_per_type_and_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_type}:{self.qualified_code}"

    @property
    def qualified_code(self) -> str:
        """States are written ``COUNTRY_STATE`` wherever they leave the system."""
        if self.parent_id is not None and self.code_type == CodeType.STATE:
            return f"{self.parent.code}_{self.code}"  # type: ignore[union-attr]
        return self.code


def code_field(
    code_type: CodeType, related_name: str
) -> models.ForeignKey[Code | None, Code | None]:
    """A reference to a district code, kept by a foreign key but not indexed.

    Nothing looks records up by their code except deleting a code (refused while it is in
    use), a rare act on a small table; an index per code column would only slow every insert
    of the big tables (a million index entries in a 100,000-student import).
    """
    return models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"code_type": code_type},
        db_index=False,
    )


def dates_in_order(name: str) -> models.CheckConstraint:
    """A dated record may be open at either end, but never ends before it starts."""
    return models.CheckConstraint(
        condition=Q(start_date__isnull=True)
        | Q(end_date__isnull=True)
        | Q(start_date__lte=F("end_date")),
        name=name,
    )


class School(models.Model):
    """A school of the district, known by its SIS school number."""

    school_number = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["school_number"]

    def __str__(self) -> str:
        return self.name or self.school_number


class Student(models.Model):
    """A student, known across the district by a unique student number."""

    student_number = models.CharField(max_length=32, unique=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    grade_level = models.CharField(max_length=16, blank=True)
    # PowerSchool's Enroll_Status: 0 active, -1 pre-registered, 2 transferred out, 3 graduated.
    enroll_status = models.IntegerField(default=0)
    # FERPA's rights pass from the parents to the student on the 18th birthday
    # (tutela.privacy.majority): the students import's DOB, Ed-Fi's BirthDate.
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["student_number"]
        # The staff search finds a student by the start of a name, any case (people/search.py).
        indexes = [
            models.Index(Lower("last_name"), name="student_last_name_lower_idx"),
            models.Index(Lower("first_name"), name="student_first_name_lower_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.student_number})"


class Language(models.TextChoices):
    """The languages Tutela writes to families in: its letters, its emails, its pages."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


# What a run of letters or emails may ask for instead of one language: each contact's own.
CONTACT_LANGUAGE = "contact"


class Contact(models.Model):
    """One real person who is a parent, guardian or other contact of one or more students.

    The primary key is the contact's system id (the ``ID`` column of a contacts import);
    ``unique_id`` is the person's district-wide identifier in other systems (the SIS person
    id a Schoology-style parent file and its association file name them by).
    ``preferred_language`` is the language the family reads: letters, emails and AutoCreate
    use it when a run asks for each contact's own language.
    """

    last_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    prefix = code_field(CodeType.PREFIX, "+")
    suffix = code_field(CodeType.SUFFIX, "+")
    gender = code_field(CodeType.GENDER, "+")
    state_contact_id = models.CharField(max_length=64, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    exclude_from_state_reporting = models.BooleanField(default=True)
    is_active = models.BooleanField(default=False)
    # Case-sensitive, as the systems that issue such ids treat them; blank means none, and
    # any other value names one person in the district.
    unique_id = models.CharField("Unique ID", max_length=64, blank=True)
    # The schools a parent file put the contact in: which school staff see the contact while
    # it is linked to no student yet (then its students decide).
    schools = models.ManyToManyField(School, blank=True, related_name="contacts")
    # The role a parent file gave (Parent, Guardian): the relationship of a new link to a
    # child that an association file makes.
    default_relationship = code_field(CodeType.RELATIONSHIP_TYPE, "+")
    # A database default too: the contacts import inserts rows in bulk, naming its own columns.
    preferred_language = models.CharField(
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_default=Language.ENGLISH,
    )

    class Meta:
        ordering = ["id"]
        # The staff search finds a contact by the start of a name, any case (people/search.py).
        indexes = [
            models.Index(Lower("last_name"), name="contact_last_name_lower_idx"),
            models.Index(Lower("first_name"), name="contact_first_name_lower_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unique_id"], condition=~Q(unique_id=""), name="contact_unique_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values),
                name="contact_language_known",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ContactEmail(models.Model):
    """A contact's email address; the primary one is first in ``order``."""

    # Indexed by ``email_once_per_contact``, whose first column it is.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    address = models.CharField(max_length=254)
    email_type = code_field(CodeType.EMAIL_TYPE, "+")
    is_primary = models.BooleanField(default=False)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["contact", "order"]
        constraints = [
            models.UniqueConstraint(
                "contact", condition=Q(is_primary=True), name="one_primary_email_per_contact"
            ),
            models.UniqueConstraint("contact", Lower("address"), name="email_once_per_contact"),
        ]
        indexes = [models.Index(Lower("address"), name="contact_email_lower_idx")]

    def __str__(self) -> str:
        return self.address


class Phone(models.Model):
    """A phone number shared by every contact who uses it: one number and extension, one record.

    ``digits`` is the number stripped to its digits, the key for recognising the same phone
    written two ways; ``number`` keeps it as first entered. ``is_sms`` belongs to the number,
    so changing it for one contact changes it for all who share the phone.
    """

    number = models.CharField(max_length=64)
    digits = models.CharField(max_length=32)
    extension = models.CharField(max_length=16, blank=True)
    is_sms = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("digits", "extension", name="phone_unique_digits_extension")
        ]

    def __str__(self) -> str:
        return f"{self.number} x{self.extension}" if self.extension else self.number


class ContactPhone(models.Model):
    """A contact's use of a phone, with its own type, priority and preference."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, related_name="contact_links")
    phone_type = code_field(CodeType.PHONE_TYPE, "+")
    priority_order = models.PositiveIntegerField()
    is_preferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["contact", "priority_order"]

    def __str__(self) -> str:
        return f"{self.contact}: {self.phone}"


class Address(models.Model):
    """A postal address; latitude and longitude are optional geocodes."""

    street = models.CharField(max_length=200)
    line_two = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = code_field(CodeType.STATE, "+")
    postal_code = models.CharField(max_length=20, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="address_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="address_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.street, self.city) if part)


class ContactAddress(models.Model):
    """A contact's use of an address, dated and ordered."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="contact_links")
    address_type = code_field(CodeType.ADDRESS_TYPE, "+")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    priority_order = models.PositiveIntegerField()

    class Meta:
        ordering = ["contact", "priority_order"]
        constraints = [dates_in_order("contact_address_dates_in_order")]

    def __str__(self) -> str:
        return f"{self.contact}: {self.address}"


class OriginalContactType(models.TextChoices):
    """PowerSchool's six legacy contact slots: a student has at most one contact in each."""

    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    EMERGENCY1 = "emergency1"
    EMERGENCY2 = "emergency2"
    EMERGENCY3 = "emergency3"

    @staticmethod
    def slot_phrase(kind: str) -> str:
        """'a mother contact', 'an emergency1 contact': how messages name a taken slot."""
        return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} contact"


class StudentContact(models.Model):
    """The link between one student and one contact, ordered among the student's contacts."""

    # Indexed by ``one_link_per_student_contact``, whose first column it is.
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="contact_links", db_index=False
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="student_links")
    contact_priority_order = models.PositiveIntegerField()
    original_contact_type = models.CharField(
        max_length=16, choices=OriginalContactType.choices, blank=True
    )
    # A court order or custody note cuts this contact off the student (``grants_access``), and
    # a parent access code alone must not link anyone new to the student: such links wait for a
    # school admin (accesscodes). Set while a ``LinkRestriction`` of the link is in force.
    restricted = models.BooleanField(
        default=False, help_text="a court order or custody note applies to this student"
    )
    # Why the link is restricted (which order, which note), written by the school admin who set
    # the flag, so the next person deciding a request for this student knows what applies.
    restricted_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["student", "contact_priority_order"]
        constraints = [
            models.UniqueConstraint("student", "contact", name="one_link_per_student_contact"),
            models.UniqueConstraint(
                "student", "contact_priority_order", name="unique_contact_priority_per_student"
            ),
            models.UniqueConstraint(
                "student",
                "original_contact_type",
                condition=~Q(original_contact_type=""),
                name="one_contact_per_original_type_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} → {self.student}"

    def active_detail(self, today: datetime.date | None = None) -> StudentContactDetail | None:
        """The detail whose dates hold today, else the one that starts latest."""
        from tutela.people.details import pick_active_detail

        return pick_active_detail(list(self.details.all()), today or datetime.date.today())

    def grants_access(self, today: datetime.date | None = None) -> bool:
        """Whether this link lets the contact see the student (the portal, the emails and
        letters about the student, the learning systems): the link is not restricted, and its
        active detail is in force on ``today`` (an ended grant, or one not yet begun, is none)
        and allows data access. ``people.selectors.links_granting_access`` is the same rule
        for a whole district."""
        from tutela.people.details import granting_detail

        if self.restricted:
            # A court order or custody note: whatever the detail grants, the contact sees
            # nothing of the student until a school or district admin lifts it.
            return False
        day = today or datetime.date.today()
        return granting_detail(list(self.details.all()), day) is not None


class RestrictionKind(models.TextChoices):
    """What a restriction rests on, in the words of ``tutela privacy restrict --kind``."""

    COURT_ORDER = "court-order", "Court order"
    CUSTODY = "custody", "Custody agreement"
    OTHER = "other", "Other"


class LinkRestriction(models.Model):
    """One restriction of a link (a court order, a custody agreement...): who recorded it,
    when, what it rests on and which document, and, once lifted, who lifted it, when and why.

    Lifted restrictions are kept: the history of who could see a child is a FERPA record. At
    most one restriction of a link is in force; while it is, ``StudentContact.restricted`` is
    set, which is what the access rule reads.
    """

    link = models.ForeignKey(StudentContact, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(max_length=16, choices=RestrictionKind.choices)
    note = models.CharField(max_length=500)
    document = models.CharField("document reference", max_length=200, blank=True)
    restricted_at = models.DateTimeField()
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's name as it was (a command-line user has no account; an account may go).
    restricted_by_name = models.CharField(max_length=200)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_by_name = models.CharField(max_length=200, blank=True)
    lift_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["link", "restricted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "link", condition=Q(lifted_at__isnull=True), name="one_restriction_in_force"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RestrictionKind.values), name="restriction_kind_known"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="restriction_has_a_note"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lift_note="")
                | (Q(lifted_at__isnull=False) & ~Q(lift_note="")),
                name="restriction_lifted_with_a_note",
            ),
        ]

    def __str__(self) -> str:
        state = "in force" if self.lifted_at is None else f"lifted {self.lifted_at:%Y-%m-%d}"
        return f"{self.get_kind_display()} on {self.link} ({state})"


class StudentContactDetail(models.Model):
    """A dated set of facts about a student link: relationship, custody and permissions."""

    link = models.ForeignKey(StudentContact, on_delete=models.CASCADE, related_name="details")
    relationship_type = code_field(CodeType.RELATIONSHIP_TYPE, "+")
    relationship_note = models.CharField(max_length=500, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    has_custody = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    allow_school_pickup = models.BooleanField(default=False)
    is_emergency_contact = models.BooleanField(default=False)
    receives_mailings = models.BooleanField(default=False)
    allow_data_access = models.BooleanField(default=False)

    class Meta:
        ordering = ["link", "start_date", "id"]
        constraints = [dates_in_order("student_contact_detail_dates_in_order")]

    def __str__(self) -> str:
        return f"{self.link} from {self.start_date or 'the start'} to {self.end_date or 'now'}"


class NotDuplicates(models.Model):
    """Staff looked at two contacts the duplicate search paired and decided they are two people
    (twins' parents who share a phone, a father and son of the same name at one address).

    The search never lists the pair again. The pair is kept with the lower contact id first,
    so one decision covers both orders; it goes when either contact does.
    """

    contact_a = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    decided_by = models.CharField(max_length=200)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contact_a", "contact_b"]
        constraints = [
            models.UniqueConstraint("contact_a", "contact_b", name="not_duplicates_once"),
            models.CheckConstraint(
                condition=Q(contact_a__lt=F("contact_b")), name="not_duplicates_lower_id_first"
            ),
        ]

    def __str__(self) -> str:
        return f"contacts {self.contact_a_id} and {self.contact_b_id} are not duplicates"
