"""Forms of the letters staff screens: which letters to print, and a letter template's text."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.accounts.scopes import Scope
from tutela.letters.models import LETTER_PLACEHOLDERS, LetterKind, LetterTemplate
from tutela.people.models import CONTACT_LANGUAGE, Language, School

LANGUAGE_FIELD_CHOICES = [
    *Language.choices,
    (CONTACT_LANGUAGE, "Each family's preferred language"),
]


class PrintLettersForm(forms.Form):
    """Kind, school, grades, section, language: the options of ``tutela letters``."""

    kind = forms.ChoiceField(
        label="Kind of letter", choices=LetterKind.choices, widget=forms.RadioSelect
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        empty_label="All my schools",
        to_field_name="school_number",
    )
    grades = forms.CharField(
        required=False,
        label="Grade levels",
        help_text="Separated by spaces or commas; empty for every grade.",
    )
    section = forms.CharField(
        required=False,
        label="Section ID",
        max_length=64,
        help_text="A homeroom, for letters its teacher hands out; empty for every student.",
    )
    language = forms.ChoiceField(choices=LANGUAGE_FIELD_CHOICES, initial=Language.ENGLISH)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ModelChoiceField)
        school_field.queryset = scope.schools().order_by("school_number")

    def clean_grades(self) -> tuple[str, ...]:
        text: str = self.cleaned_data["grades"]
        return tuple(g for g in text.replace(",", " ").split() if g)

    def clean_section(self) -> Any:
        section_id = self.cleaned_data["section"].strip()
        if not section_id:
            return None
        section = (
            self.scope.sections()
            .filter(section_id=section_id, school__in=self.scope.schools())
            .first()
        )
        if section is None:
            raise forms.ValidationError(f"No section {section_id} at your schools.")
        return section


class LetterTemplateForm(forms.ModelForm):
    """A district admin's edit of a letter's text; a placeholder the kind does not have is
    refused by the model's own ``clean``."""

    class Meta:
        model = LetterTemplate
        fields = ["title", "body_text"]
        labels = {"body_text": "Text"}
        widgets = {"body_text": forms.Textarea(attrs={"rows": 16, "cols": 80})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = LETTER_PLACEHOLDERS.get(self.instance.kind, {})
        self.fields["body_text"].help_text = (
            "Paragraphs separated by a blank line. Placeholders: "
            + ", ".join(f"{{{{ {name} }}}} ({what})" for name, what in names.items())
            + ". The letter always prints the link and its QR code below the text."
        )
