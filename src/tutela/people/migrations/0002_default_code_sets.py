"""Ship the default code sets; districts edit them afterwards."""

from django.db import migrations

from tutela.people.codesets import DEFAULT_CODES, US_STATES


def add_defaults(apps, schema_editor):
    Code = apps.get_model("people", "Code")
    for code_type, codes in DEFAULT_CODES.items():
        for code in codes:
            Code.objects.get_or_create(
                code_type=code_type.value, code=code, parent=None, defaults={"display_name": code}
            )
    us = Code.objects.get(code_type="Country", code="US", parent=None)
    for state in US_STATES:
        Code.objects.get_or_create(
            code_type="State", code=state, parent=us, defaults={"display_name": state}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
