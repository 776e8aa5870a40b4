"""The columns of a PowerSchool "Contacts" import file (Data Import Manager): one declaration each.

Each column says what it is once: its header, how a cell is read (``Kind``), which part of the
contact it belongs to (``Section``), whether ``#delete`` / ``#clear`` / ``#new`` may be written
in it, what it is required for, and the model field it fills. Lengths, code types and choices
are read from that field's ``_meta``, so a migration and the import cannot disagree; validation
and planning ask this table instead of keeping lists of their own, and adding a column is one
line here.

Headers match ignoring case, spaces, underscores and text in parentheses
(``PhoneNumber (as entered)`` is ``phonenumber``). PowerSchool's own misspelling
``PersonEmailAddessAssocID`` is accepted because real PowerSchool templates carry it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from tutela.accounts.models import Account
from tutela.core.tabular import normalise_header
from tutela.people.models import (
    Address,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    StudentContact,
    StudentContactDetail,
)


class Kind(enum.Enum):
    """How a cell's text becomes a value."""

    TEXT = "text"  # taken as written, up to its field's length
    USERNAME = "username"  # an access account's user name (Django's username characters)
    EMAIL = "email"  # an email address
    BOOLEAN = "boolean"  # PowerSchool's yes/no words
    DATE = "date"  # m/d/yyyy or m/d/yy
    ID = "id"  # the system id of a record
    PRIORITY = "priority"  # a position in an order, from 1
    CODE = "code"  # one of the district's codes of the field's code type
    GEOCODE = "geocode"  # a latitude or longitude in degrees
    CHOICE = "choice"  # one of the field's choices


class Section(enum.Enum):
    """The part of a contact a column describes; a row has a section when any of its cells is
    filled in."""

    KEY = "key"  # which contact the row is about
    CONTACT = "contact"
    ACCESS = "access"  # the contact's access account (parent portal)
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    STUDENT = "student"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the file, and the model field it fills (``None``: the Identifier, which
    names a contact of the file and is stored nowhere)."""

    key: str  # the name the code uses
    header: str  # the name messages use
    kind: Kind
    section: Section
    model: type[models.Model] | None
    field_name: str
    aliases: tuple[str, ...] = ()  # other spellings accepted
    deletable: bool = False  # "#delete" deletes the record the column names
    clearable: bool = True  # "#clear" empties the value
    new: bool = False  # "#new" adds a record
    # What a row cannot do without this column: "to add a contact" ("" when nothing).
    required: str = ""
    # Read from the model field: its length for text (``None`` when not enforced), its code type
    # for a code, its choices for a choice, its attribute name on records and the empty value
    # "#clear" leaves.
    max_length: int | None = field(init=False, default=None)
    code_type: CodeType | None = field(init=False, default=None)
    choices: tuple[str, ...] = field(init=False, default=())
    attname: str = field(init=False, default="")
    cleared: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.model is None:
            return
        target = self.model._meta.get_field(self.field_name)
        assert isinstance(target, models.Field)
        derived: dict[str, Any] = {"attname": target.attname, "cleared": None}
        if isinstance(target, models.CharField):
            derived["cleared"] = ""
            if self.kind in (Kind.TEXT, Kind.USERNAME, Kind.EMAIL):
                derived["max_length"] = target.max_length
            if self.kind is Kind.CHOICE:
                derived["choices"] = tuple(value for value, _ in target.flatchoices)
        if self.kind is Kind.CODE:
            # A code field (``people.models.code_field``) names its code type once.
            limit = target.remote_field.limit_choices_to if target.remote_field else None
            assert isinstance(limit, dict), f"{self.header} fills no code field"
            derived["code_type"] = CodeType(limit["code_type"])
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def required_message(self) -> str:
        return f"{self.header} is required {self.required}"


K, S = Kind, Section
# In the order of PowerSchool's template; validation and planning go through it in this order.
COLUMNS: tuple[Column, ...] = (
    Column("identifier", "Identifier", K.TEXT, S.KEY, None, "", clearable=False),
    Column("id", "ID", K.ID, S.KEY, Contact, "id", clearable=False),
    Column(
        "last_name",
        "LastName",
        K.TEXT,
        S.CONTACT,
        Contact,
        "last_name",
        deletable=True,  # deletes the contact (on every row of it)
        clearable=False,
        required="to add a contact",
    ),
    Column("first_name", "FirstName", K.TEXT, S.CONTACT, Contact, "first_name"),
    Column("middle_name", "MiddleName", K.TEXT, S.CONTACT, Contact, "middle_name"),
    Column("state_contact_id", "StateContactID", K.TEXT, S.CONTACT, Contact, "state_contact_id"),
    Column("employer", "Employer", K.TEXT, S.CONTACT, Contact, "employer"),
    Column("prefix", "Prefix", K.CODE, S.CONTACT, Contact, "prefix"),
    Column("suffix", "Suffix", K.CODE, S.CONTACT, Contact, "suffix"),
    Column("gender", "Gender", K.CODE, S.CONTACT, Contact, "gender"),
    Column(
        "exclude_from_state_reporting",
        "ExcludeFromStateReporting",
        K.BOOLEAN,
        S.CONTACT,
        Contact,
        "exclude_from_state_reporting",
        clearable=False,
    ),
    Column("is_active", "IsActive", K.BOOLEAN, S.CONTACT, Contact, "is_active", clearable=False),
    Column(
        "account_enabled",
        "Is Access Account Enabled",
        K.BOOLEAN,
        S.ACCESS,
        Account,
        "is_active",
        clearable=False,
    ),
    Column(
        "account_username",
        "Access Account User Name",
        K.USERNAME,
        S.ACCESS,
        Account,
        "username",
        deletable=True,  # deletes the access account
        clearable=False,
        required="to create an access account",
    ),
    Column(
        "account_email",
        "Access Account Email Address",
        K.EMAIL,
        S.ACCESS,
        Account,
        "email",
        clearable=False,
        required="to create an access account",
    ),
    Column(
        "state_guardian_number",
        "StateGuardianNumber",
        K.TEXT,
        S.ACCESS,
        Account,
        "state_guardian_number",
    ),
    Column(
        "email_assoc_id",
        "PersonEmailAddressAssocID",
        K.ID,
        S.EMAIL,
        ContactEmail,
        "id",
        aliases=("PersonEmailAddessAssocID",),
        clearable=False,
    ),
    Column(
        "email_address",
        "EmailAddress",
        K.EMAIL,
        S.EMAIL,
        ContactEmail,
        "address",
        deletable=True,
        clearable=False,
        required="to import an email address",
    ),
    Column("email_type", "EmailType", K.CODE, S.EMAIL, ContactEmail, "email_type"),
    Column(
        "email_is_primary",
        "IsPrimaryEmailAddress",
        K.BOOLEAN,
        S.EMAIL,
        ContactEmail,
        "is_primary",
        clearable=False,
    ),
    Column(
        "phone_assoc_id", "PhoneNumberAssocID", K.ID, S.PHONE, ContactPhone, "id", clearable=False
    ),
    Column(
        "phone_number",
        "PhoneNumber",
        K.TEXT,
        S.PHONE,
        Phone,
        "number",  # PowerSchool's export heads it "PhoneNumber (as entered)"
        deletable=True,
        clearable=False,
        required="to import a phone number",
    ),
    Column("phone_extension", "Extension", K.TEXT, S.PHONE, Phone, "extension"),
    Column("phone_type", "PhoneTypeCode", K.CODE, S.PHONE, ContactPhone, "phone_type"),
    Column(
        "phone_priority",
        "PhoneNumberPriorityOrder",
        K.PRIORITY,
        S.PHONE,
        ContactPhone,
        "priority_order",
        clearable=False,
    ),
    Column("phone_is_sms", "IsSMS", K.BOOLEAN, S.PHONE, Phone, "is_sms", clearable=False),
    Column(
        "phone_is_preferred",
        "IsPreferred",
        K.BOOLEAN,
        S.PHONE,
        ContactPhone,
        "is_preferred",
        clearable=False,
    ),
    Column(
        "address_assoc_id", "AddressAssocID", K.ID, S.ADDRESS, ContactAddress, "id", clearable=False
    ),
    Column(
        "street",
        "Street",
        K.TEXT,
        S.ADDRESS,
        Address,
        "street",
        deletable=True,
        clearable=False,
        required="to import an address",
    ),
    Column("line_two", "LineTwo", K.TEXT, S.ADDRESS, Address, "line_two"),
    Column("unit", "Unit", K.TEXT, S.ADDRESS, Address, "unit"),
    Column("city", "City", K.TEXT, S.ADDRESS, Address, "city"),
    Column("postal_code", "PostalCode", K.TEXT, S.ADDRESS, Address, "postal_code"),
    Column("latitude", "GeocodeLatitude", K.GEOCODE, S.ADDRESS, Address, "latitude"),
    Column("longitude", "GeocodeLongitude", K.GEOCODE, S.ADDRESS, Address, "longitude"),
    Column("state", "State", K.CODE, S.ADDRESS, Address, "state"),
    Column("address_type", "AddressType", K.CODE, S.ADDRESS, ContactAddress, "address_type"),
    Column(
        "address_priority",
        "AddressPriorityOrder",
        K.PRIORITY,
        S.ADDRESS,
        ContactAddress,
        "priority_order",
        clearable=False,
    ),
    Column("address_start", "AddressStartDate", K.DATE, S.ADDRESS, ContactAddress, "start_date"),
    Column("address_end", "AddressEndDate", K.DATE, S.ADDRESS, ContactAddress, "end_date"),
    Column(
        "student_assoc_id",
        "StudentContactAssocID",
        K.ID,
        S.STUDENT,
        StudentContact,
        "id",
        clearable=False,
    ),
    # A student is named by its number (looked up, not stored), so no length is enforced: an
    # unknown number of any length is "not a student".
    Column(
        "student_number",
        "StudentNumber",
        K.TEXT,
        S.STUDENT,
        StudentContact,
        "student",
        deletable=True,  # deletes the contact's link to the student
        clearable=False,
        required="to link a student",
    ),
    Column(
        "original_contact_type",
        "OriginalContactType",
        K.CHOICE,
        S.STUDENT,
        StudentContact,
        "original_contact_type",
    ),
    Column(
        "contact_priority",
        "ContactPriorityOrder",
        K.PRIORITY,
        S.STUDENT,
        StudentContact,
        "contact_priority_order",
        clearable=False,
    ),
    Column(
        "detail_id",
        "StudentContactDetailID",
        K.ID,
        S.STUDENT,
        StudentContactDetail,
        "id",
        clearable=False,
        new=True,
    ),
    Column(
        "relationship_type",
        "RelationshipType",
        K.CODE,
        S.STUDENT,
        StudentContactDetail,
        "relationship_type",
    ),
    Column(
        "relationship_note",
        "RelationshipNote",
        K.TEXT,
        S.STUDENT,
        StudentContactDetail,
        "relationship_note",
    ),
    Column(
        "relationship_start",
        "RelationshipStartDate",
        K.DATE,
        S.STUDENT,
        StudentContactDetail,
        "start_date",
    ),
    Column(
        "relationship_end",
        "RelationshipEndDate",
        K.DATE,
        S.STUDENT,
        StudentContactDetail,
        "end_date",
    ),
    *(
        Column(key, header, K.BOOLEAN, S.STUDENT, StudentContactDetail, key, clearable=False)
        for key, header in (
            ("has_custody", "ContactHasCustody"),
            ("lives_with", "ContactLivesWith"),
            ("allow_school_pickup", "ContactAllowSchoolPickup"),
            ("is_emergency_contact", "IsEmergencyContact"),
            ("receives_mailings", "ContactReceivesMailings"),
            ("allow_data_access", "AllowDataAccess"),
        )
    ),
)
del K, S

COLUMN: dict[str, Column] = {column.key: column for column in COLUMNS}
FIELDS: tuple[str, ...] = tuple(COLUMN)
LABEL: dict[str, str] = {column.key: column.header for column in COLUMNS}

# Normalised header -> column key, for ``core.columns.map_columns``.
KNOWN: dict[str, str] = {
    normalise_header(spelling): column.key
    for column in COLUMNS
    for spelling in (column.header, *column.aliases)
}


def section(part: Section) -> tuple[str, ...]:
    """The keys of a section's columns, in the file's order."""
    return tuple(column.key for column in COLUMNS if column.section is part)


EMAIL_FIELDS = section(Section.EMAIL)
PHONE_FIELDS = section(Section.PHONE)
ADDRESS_FIELDS = section(Section.ADDRESS)
STUDENT_FIELDS = section(Section.STUDENT)
CONTACT_FIELDS = section(Section.CONTACT)
ACCESS_FIELDS = section(Section.ACCESS)
# The yes/no flags of a student link's detail record (custody, pickup, data access...).
DETAIL_FLAGS = tuple(
    column.key
    for column in COLUMNS
    if column.model is StudentContactDetail and column.kind is Kind.BOOLEAN
)
