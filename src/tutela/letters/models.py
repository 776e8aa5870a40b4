"""The district-editable texts of the letters Tutela prints: one per kind and language.

A letter is the district's text around what Tutela prints itself: the account or the code,
the link written out and its QR code. The text uses ``{{ placeholder }}`` names from the
shared vocabulary (``notifications.vocabulary``), like the email templates, so an edit cannot
reach anything but the values meant for the letter; the link and the code are printed by the
layout whatever the text says, so no edit can leave a family without them. No placeholder
holds a password: a letter carries a single-use activation link, never a password.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from tutela.notifications.vocabulary import placeholders_in
from tutela.people.models import Language


class LetterKind(models.TextChoices):
    ACTIVATION = "activation", "Activation letter (to a parent)"
    ACCESS_CODE = "access-code", "Access-code letter (for a student's family)"


# The names each kind of letter may use, with what each holds (shown on the edit screen).
# A district may have edited its letters: these names never change without a data migration
# that rewrites the stored text.
LETTER_PLACEHOLDERS: dict[str, dict[str, str]] = {
    LetterKind.ACTIVATION: {
        "parent_name": "the parent's name",
        "username": "the account's username",
        "students": "the names of the parent's students in the selection (comma-separated)",
        "activation_link": "the single-use link to choose a password",
        "link_expires_on": "the date the link stops working",
        "district_name": "the district's name",
        "portal_url": "the address of the parent portal",
    },
    LetterKind.ACCESS_CODE: {
        "student_name": "the student's name",
        "school_name": "the student's school",
        "access_code": "the student's parent access code",
        "registration_link": "the registration page, with the code filled in",
        "district_name": "the district's name",
        "portal_url": "the address of the parent portal",
    },
}


class LetterTemplate(models.Model):
    """The text of one kind of letter in one language, as the district wrote it.

    ``title`` heads the page; ``body_text`` is paragraphs separated by blank lines.
    """

    kind = models.CharField(max_length=16, choices=LetterKind.choices)
    language = models.CharField(max_length=8, choices=Language.choices)
    title = models.CharField(max_length=200)
    body_text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint("kind", "language", name="one_letter_per_kind_and_language"),
            models.CheckConstraint(
                condition=models.Q(kind__in=LetterKind.values), name="letter_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="letter_language_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_language_display()})"

    def problems(self) -> list[str]:
        """Placeholders this kind of letter does not have, in the title or the text."""
        known = LETTER_PLACEHOLDERS.get(self.kind, {})
        problems = []
        for part, text in (("title", self.title), ("text", self.body_text)):
            for name in placeholders_in(text):
                if name not in known:
                    problems.append(
                        f"the {part} uses {{{{ {name} }}}}, which this kind of letter does not have"
                    )
        return problems

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)
