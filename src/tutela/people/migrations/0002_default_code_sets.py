"""Ship the default code sets; districts edit them afterwards.

The codes are written out here, as they shipped, rather than read from the application: a later
change to the application must not change what this migration adds to a new database.
"""

from django.db import migrations

DEFAULT_CODES = {
    "Gender": ("M", "F", "X"),
    "Prefix": ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"),
    "Suffix": ("Jr", "Sr", "II", "III", "IV"),
    "EmailType": ("Home", "Work", "Other"),
    "PhoneType": ("Home", "Mobile", "Work", "Other"),
    "AddressType": ("Home", "Mailing", "Work", "Other"),
    "RelationshipType": (
        "Mother",
        "Father",
        "Guardian",
        "Stepmother",
        "Stepfather",
        "Grandmother",
        "Grandfather",
        "Aunt",
        "Uncle",
        "Sibling",
        "Foster Parent",
        "Other",
    ),
    "Country": ("US",),
}

# The 50 states, DC and the five inhabited territories.
US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
    "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
    "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
)  # fmt: skip


def add_defaults(apps, schema_editor):
    Code = apps.get_model("people", "Code")
    for code_type, codes in DEFAULT_CODES.items():
        for code in codes:
            Code.objects.get_or_create(
                code_type=code_type, code=code, parent=None, defaults={"display_name": code}
            )
    us = Code.objects.get(code_type="Country", code="US", parent=None)
    for state in US_STATES:
        Code.objects.get_or_create(
            code_type="State", code=state, parent=us, defaults={"display_name": state}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
