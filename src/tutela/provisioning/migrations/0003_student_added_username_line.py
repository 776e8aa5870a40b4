"""The shipped "student added" emails give the username on a line of its own.

They said "...to your parent portal account (ann@example.org)." and Django's ``urlize``, which
makes the HTML part from the text, drops a full stop that follows a closing parenthesis after
a link, so the HTML part lost it. Only a template still exactly as shipped is rewritten: a
district's edits are left as they are.
"""

from importlib import import_module

from django.db import migrations

CHANGES = {
    "Student added (English)": (
        "to your parent portal account ({{ username }}).\n",
        "to your parent portal account.\n\nYour username: {{ username }}\n",
    ),
    "Student added (Spanish)": (
        "a su cuenta del portal para padres ({{ username }}).\n",
        "a su cuenta del portal para padres.\n\nSu nombre de usuario: {{ username }}\n",
    ),
}


def _bodies() -> dict[str, tuple[str, str]]:
    """Each changed template's body as shipped, and as it is now."""
    shipped = import_module("tutela.provisioning.migrations.0002_default_email_templates")
    bodies = {}
    for name, _kind, _language, _subject, body in shipped.TEMPLATES:
        if name in CHANGES:
            old, new = CHANGES[name]
            bodies[name] = (body, body.replace(old, new))
    return bodies


def _rewrite(apps, *, forward: bool) -> None:
    EmailTemplate = apps.get_model("provisioning", "EmailTemplate")
    for name, (shipped, now) in _bodies().items():
        before, after = (shipped, now) if forward else (now, shipped)
        EmailTemplate.objects.filter(name=name, body_text=before, body_html="").update(
            body_text=after
        )


def forwards(apps, schema_editor):
    _rewrite(apps, forward=True)


def backwards(apps, schema_editor):
    _rewrite(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0002_default_email_templates")]

    operations = [migrations.RunPython(forwards, backwards)]
