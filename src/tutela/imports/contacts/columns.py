"""The columns of a PowerSchool "Contacts" import file and the field each one fills.

Headers match ignoring case, spaces, underscores and text in parentheses
(``PhoneNumber (as entered)`` is ``phonenumber``). The seed page's own misspelling
``PersonEmailAddessAssocID`` is accepted because real PowerSchool templates carry it.
"""

from __future__ import annotations

from tutela.core.tabular import normalise_header

# (field key used in the code, the name messages use, other spellings accepted)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("identifier", "Identifier", ()),
    ("id", "ID", ()),
    ("last_name", "LastName", ()),
    ("first_name", "FirstName", ()),
    ("middle_name", "MiddleName", ()),
    ("state_contact_id", "StateContactID", ()),
    ("employer", "Employer", ()),
    ("prefix", "Prefix", ()),
    ("suffix", "Suffix", ()),
    ("gender", "Gender", ()),
    ("exclude_from_state_reporting", "ExcludeFromStateReporting", ()),
    ("is_active", "IsActive", ()),
    ("account_enabled", "Is Access Account Enabled", ()),
    ("account_username", "Access Account User Name", ()),
    ("account_email", "Access Account Email Address", ()),
    ("state_guardian_number", "StateGuardianNumber", ()),
    ("email_assoc_id", "PersonEmailAddressAssocID", ("PersonEmailAddessAssocID",)),
    ("email_address", "EmailAddress", ()),
    ("email_type", "EmailType", ()),
    ("email_is_primary", "IsPrimaryEmailAddress", ()),
    ("phone_assoc_id", "PhoneNumberAssocID", ()),
    ("phone_number", "PhoneNumber", ("PhoneNumber (as entered)",)),
    ("phone_extension", "Extension", ()),
    ("phone_type", "PhoneTypeCode", ()),
    ("phone_priority", "PhoneNumberPriorityOrder", ()),
    ("phone_is_sms", "IsSMS", ()),
    ("phone_is_preferred", "IsPreferred", ()),
    ("address_assoc_id", "AddressAssocID", ()),
    ("street", "Street", ()),
    ("line_two", "LineTwo", ()),
    ("unit", "Unit", ()),
    ("city", "City", ()),
    ("postal_code", "PostalCode", ()),
    ("latitude", "GeocodeLatitude", ()),
    ("longitude", "GeocodeLongitude", ()),
    ("state", "State", ()),
    ("address_type", "AddressType", ()),
    ("address_priority", "AddressPriorityOrder", ()),
    ("address_start", "AddressStartDate", ()),
    ("address_end", "AddressEndDate", ()),
    ("student_assoc_id", "StudentContactAssocID", ()),
    ("student_number", "StudentNumber", ()),
    ("original_contact_type", "OriginalContactType", ()),
    ("contact_priority", "ContactPriorityOrder", ()),
    ("detail_id", "StudentContactDetailID", ()),
    ("relationship_type", "RelationshipType", ()),
    ("relationship_note", "RelationshipNote", ()),
    ("relationship_start", "RelationshipStartDate", ()),
    ("relationship_end", "RelationshipEndDate", ()),
    ("has_custody", "ContactHasCustody", ()),
    ("lives_with", "ContactLivesWith", ()),
    ("allow_school_pickup", "ContactAllowSchoolPickup", ()),
    ("is_emergency_contact", "IsEmergencyContact", ()),
    ("receives_mailings", "ContactReceivesMailings", ()),
    ("allow_data_access", "AllowDataAccess", ()),
)

FIELDS: tuple[str, ...] = tuple(key for key, _, _ in COLUMNS)
LABEL: dict[str, str] = {key: name for key, name, _ in COLUMNS}

KNOWN: dict[str, str] = {}
for _key, _name, _aliases in COLUMNS:
    for _spelling in (_name, *_aliases):
        KNOWN[normalise_header(_spelling)] = _key

# The fields each section of a row is made of: a section is present on a row when any of
# its cells is filled in.
EMAIL_FIELDS = ("email_assoc_id", "email_address", "email_type", "email_is_primary")
PHONE_FIELDS = (
    "phone_assoc_id",
    "phone_number",
    "phone_extension",
    "phone_type",
    "phone_priority",
    "phone_is_sms",
    "phone_is_preferred",
)
ADDRESS_FIELDS = (
    "address_assoc_id",
    "street",
    "line_two",
    "unit",
    "city",
    "postal_code",
    "latitude",
    "longitude",
    "state",
    "address_type",
    "address_priority",
    "address_start",
    "address_end",
)
DETAIL_FLAGS = (
    "has_custody",
    "lives_with",
    "allow_school_pickup",
    "is_emergency_contact",
    "receives_mailings",
    "allow_data_access",
)
STUDENT_FIELDS = (
    "student_assoc_id",
    "student_number",
    "original_contact_type",
    "contact_priority",
    "detail_id",
    "relationship_type",
    "relationship_note",
    "relationship_start",
    "relationship_end",
    *DETAIL_FLAGS,
)
ACCOUNT_FIELDS = ("account_enabled", "account_username", "account_email", "state_guardian_number")
CONTACT_TEXT = ("last_name", "first_name", "middle_name", "state_contact_id", "employer")
CONTACT_CODES = ("prefix", "suffix", "gender")
CONTACT_FLAGS = ("exclude_from_state_reporting", "is_active")
