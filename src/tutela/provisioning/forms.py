"""Forms of the AutoCreate staff screens."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.notifications.vocabulary import PLACEHOLDERS
from tutela.people.models import CONTACT_LANGUAGE, School
from tutela.provisioning.models import EmailTemplate
from tutela.web.uploads import within_upload_limit


class AutoCreateForm(forms.Form):
    """Which students, simulate or not (simulate is the default), and which emails."""

    school = forms.ModelChoiceField(
        queryset=School.objects.all(),
        required=False,
        empty_label="All schools",
        to_field_name="school_number",
    )
    grades = forms.CharField(
        required=False, help_text="Grade levels separated by spaces or commas; empty for all."
    )
    students_file = forms.FileField(
        required=False,
        label="Students file",
        help_text="Optional: a CSV, tab-delimited or XLSX file with a Student_Number column.",
        validators=[within_upload_limit],
    )
    simulate = forms.BooleanField(
        required=False, initial=True, help_text="Write nothing: show what would be done."
    )
    created_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(kind=EmailTemplate.Kind.ACCOUNT_CREATED),
        required=False,
        empty_label="Send no email",
        label="Email to created accounts",
    )
    attached_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(kind=EmailTemplate.Kind.STUDENT_ADDED),
        required=False,
        empty_label="Send no email",
        label="Email to accounts that gain a student",
    )

    email_language = forms.ChoiceField(
        label="Language of the emails",
        required=False,
        choices=[
            ("", "The chosen templates' own language"),
            (CONTACT_LANGUAGE, "Each parent's preferred language"),
        ],
        help_text="With each parent's language, a parent who reads Spanish gets the district's "
        "Spanish template of the same kind, when there is one.",
    )

    def clean_grades(self) -> tuple[str, ...]:
        text: str = self.cleaned_data["grades"]
        return tuple(g for g in text.replace(",", " ").split() if g)


class EmailTemplateForm(forms.ModelForm):
    """A district admin's edit of a template; unknown placeholders are refused."""

    class Meta:
        model = EmailTemplate
        fields = ["name", "kind", "language", "subject", "body_text", "body_html"]
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 14, "cols": 80}),
            "body_html": forms.Textarea(attrs={"rows": 10, "cols": 80}),
        }
        help_texts = {
            "body_text": "Placeholders: "
            + ", ".join(f"{{{{ {name} }}}} ({what})" for name, what in PLACEHOLDERS.items()),
            "body_html": "Optional; without it the text body is used, with links made clickable.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = EmailTemplate(
            kind=data.get("kind", ""),
            subject=data.get("subject", ""),
            body_text=data.get("body_text", ""),
            body_html=data.get("body_html", ""),
        )
        for problem in candidate.problems():
            self.add_error(None, problem)
        return data
