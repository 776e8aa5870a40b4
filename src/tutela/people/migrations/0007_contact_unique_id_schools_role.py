"""A contact's district-wide Unique ID, its schools and its role, and the ``Parent`` relationship.

A Schoology-style parent file gives each parent a role, ``Parent`` or ``Guardian``; the shipped
relationship codes had ``Guardian`` but no ``Parent``. The code is written out here rather
than read from the application, and only added when the district has no such code yet.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower


def add_parent_code(apps, schema_editor):
    Code = apps.get_model("people", "Code")
    existing = Code.objects.annotate(lowered=Lower("code")).filter(
        code_type="RelationshipType", lowered="parent", parent=None
    )
    if not existing.exists():
        Code.objects.create(code_type="RelationshipType", code="Parent", display_name="Parent")


class Migration(migrations.Migration):
    dependencies = [("people", "0006_search_indexes_on_names")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="default_relationship",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "RelationshipType"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="schools",
            field=models.ManyToManyField(blank=True, related_name="contacts", to="people.school"),
        ),
        migrations.AddField(
            model_name="contact",
            name="unique_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="Unique ID"),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unique_id", ""), _negated=True),
                fields=("unique_id",),
                name="contact_unique_id_unique",
            ),
        ),
        migrations.RunPython(add_parent_code, migrations.RunPython.noop),
    ]
