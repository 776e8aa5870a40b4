"""The email templates Tutela ships: account created and student added, in English and Spanish.

A district edits them (or adds its own) on the staff screen; this migration only adds the ones
that are missing, so it never overwrites a district's edits.
"""

from django.db import migrations

CREATED_EN = """Hello {{ parent_name }},

{{ district_name }} has created a parent portal account for you, so you can follow {{ students }} at school.

Your username: {{ username }}

To choose your password and start using the portal, open this link:

{{ activation_link }}

The link works once and expires after a few days. If it has expired, ask your school to send a new one.

The portal is at {{ portal_url }}

If you were not expecting this email, you can ignore it.
"""

CREATED_ES = """Hola {{ parent_name }}:

{{ district_name }} ha creado una cuenta del portal para padres a su nombre, para que pueda seguir a {{ students }} en la escuela.

Su nombre de usuario: {{ username }}

Para elegir su contraseña y empezar a usar el portal, abra este enlace:

{{ activation_link }}

El enlace funciona una sola vez y vence en unos días. Si ya venció, pida a su escuela que le envíe uno nuevo.

El portal está en {{ portal_url }}

Si no esperaba este correo, puede ignorarlo.
"""

ADDED_EN = """Hello {{ parent_name }},

{{ district_name }} has added {{ students }} to your parent portal account ({{ username }}).

Sign in at {{ portal_url }} to see them.

If you were not expecting this email, please contact your school.
"""

ADDED_ES = """Hola {{ parent_name }}:

{{ district_name }} ha agregado a {{ students }} a su cuenta del portal para padres ({{ username }}).

Inicie sesión en {{ portal_url }} para verlos.

Si no esperaba este correo, comuníquese con su escuela.
"""

TEMPLATES = [
    (
        "Account created (English)",
        "account_created",
        "en",
        "Your {{ district_name }} parent portal account",
        CREATED_EN,
    ),
    (
        "Account created (Spanish)",
        "account_created",
        "es",
        "Su cuenta del portal para padres de {{ district_name }}",
        CREATED_ES,
    ),
    (
        "Student added (English)",
        "student_added",
        "en",
        "{{ students }} added to your {{ district_name }} portal account",
        ADDED_EN,
    ),
    (
        "Student added (Spanish)",
        "student_added",
        "es",
        "{{ students }}: agregado a su cuenta del portal de {{ district_name }}",
        ADDED_ES,
    ),
]


def add_templates(apps, schema_editor):
    EmailTemplate = apps.get_model("provisioning", "EmailTemplate")
    for name, kind, language, subject, body in TEMPLATES:
        EmailTemplate.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "language": language, "subject": subject, "body_text": body},
        )


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
