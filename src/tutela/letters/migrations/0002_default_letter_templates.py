"""The letters Tutela ships, in English and Spanish; a district edits them on the staff screen.

The texts are written out here, not imported from the application, so this migration keeps
meaning what it meant when the application's own texts change.
"""

from django.db import migrations

LETTERS = [
    (
        "activation",
        "en",
        "Your {{ district_name }} parent portal account",
        "Dear {{ parent_name }},\n\n"
        "{{ district_name }} has opened a parent portal account for you, so you can follow "
        "{{ students }} at school online.\n\n"
        "Your username is {{ username }}. To start, open the activation link below (or scan "
        "the QR code with your phone's camera) and choose your own password. The link works "
        "once, until {{ link_expires_on }}.\n\n"
        "Afterwards, sign in at {{ portal_url }} with your username and the password you chose. "
        "Nobody from the school will ever ask you for your password.",
    ),
    (
        "activation",
        "es",
        "Su cuenta del portal para padres de {{ district_name }}",
        "Estimado/a {{ parent_name }}:\n\n"
        "{{ district_name }} le ha abierto una cuenta en el portal para padres, para que pueda "
        "seguir en línea el progreso escolar de {{ students }}.\n\n"
        "Su nombre de usuario es {{ username }}. Para empezar, abra el enlace de activación que "
        "aparece abajo (o escanee el código QR con la cámara de su teléfono) y elija su propia "
        "contraseña. El enlace funciona una sola vez, hasta el {{ link_expires_on }}.\n\n"
        "Después, inicie sesión en {{ portal_url }} con su nombre de usuario y la contraseña que "
        "eligió. Nadie de la escuela le pedirá nunca su contraseña.",
    ),
    (
        "access-code",
        "en",
        "Parent portal access code for {{ student_name }}",
        "To the parents and guardians of {{ student_name }}, {{ school_name }}:\n\n"
        "With the access code below you can create your own {{ district_name }} parent portal "
        "account and see {{ student_name }}'s information. Each parent or guardian may use the "
        "same code to create their own account.\n\n"
        "Open the registration page below (or scan the QR code with your phone's camera): the "
        "code is filled in for you. Then enter your name and email address, and follow the link "
        "we email you to choose your password.\n\n"
        "If you already have an account, sign in at {{ portal_url }} and use Add Child with "
        "this code. Keep this letter private: the code opens your child's records.",
    ),
    (
        "access-code",
        "es",
        "Código de acceso al portal para padres de {{ student_name }}",
        "A los padres y tutores de {{ student_name }}, {{ school_name }}:\n\n"
        "Con el código de acceso que aparece abajo puede crear su propia cuenta en el portal "
        "para padres de {{ district_name }} y ver la información de {{ student_name }}. Cada "
        "padre, madre o tutor puede usar el mismo código para crear su propia cuenta.\n\n"
        "Abra la página de registro que aparece abajo (o escanee el código QR con la cámara de "
        "su teléfono): el código ya estará escrito. Luego escriba su nombre y su correo "
        "electrónico, y siga el enlace que le enviaremos por correo para elegir su contraseña.\n\n"
        "Si ya tiene una cuenta, inicie sesión en {{ portal_url }} y use Agregar hijo con este "
        "código. Guarde esta carta en privado: el código da acceso a los datos de su hijo/a.",
    ),
]


def add_letters(apps, schema_editor):
    LetterTemplate = apps.get_model("letters", "LetterTemplate")
    for kind, language, title, body in LETTERS:
        LetterTemplate.objects.get_or_create(
            kind=kind, language=language, defaults={"title": title, "body_text": body}
        )


def remove_letters(apps, schema_editor):
    apps.get_model("letters", "LetterTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_letter_templates")]

    operations = [migrations.RunPython(add_letters, remove_letters)]
