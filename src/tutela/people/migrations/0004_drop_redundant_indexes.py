"""Indexes nothing needs: on code references, and on columns a unique index leads with."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_studentcontact_restricted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="address",
            name="state",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "State"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="gender",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "Gender"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="prefix",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "Prefix"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="suffix",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "Suffix"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="contactaddress",
            name="address_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "AddressType"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        # Django would drop every index on exactly this column, the partial unique index
        # "one_primary_email_per_contact" with the foreign key's: only the latter is dropped.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contactemail",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="people.contact",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "people_contactemail_contact_id_07641010"',
                    reverse_sql='CREATE INDEX "people_contactemail_contact_id_07641010" '
                    'ON "people_contactemail" ("contact_id")',
                ),
            ],
        ),
        migrations.AlterField(
            model_name="contactemail",
            name="email_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "EmailType"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="contactphone",
            name="phone_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                limit_choices_to={"code_type": "PhoneType"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.code",
            ),
        ),
        migrations.AlterField(
            model_name="studentcontact",
            name="student",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contact_links",
                to="people.student",
            ),
        ),
        migrations.AlterField(
            model_name="studentcontactdetail",
            name="relationship_type",
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
    ]
