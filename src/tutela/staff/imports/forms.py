"""Forms of the imports screens."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.imports.mapping import IGNORED, MappedHeader
from tutela.imports.registry import importers
from tutela.web.uploads import within_upload_limit

# The mapping screen's choice for a column the import leaves out.
IGNORE = "-"


def kind_choices() -> list[tuple[str, str]]:
    """The kinds the screen takes a file of (a kind reading its own files says which)."""
    return [(kind, kind) for kind, importer in importers().items() if importer.upload_suffixes]


class UploadForm(forms.Form):
    """The kind of file and the file itself (as ``tutela import KIND FILE`` takes them)."""

    kind = forms.ChoiceField(label="Kind of file")
    file = forms.FileField(
        label="File",
        help_text="CSV (comma), tab-delimited (.txt or .tsv) or Excel (.xlsx), with a header "
        "row; for oneroster, the package's .zip; for edfi, one interchange .xml or a .zip of "
        "them.",
        validators=[within_upload_limit],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()  # type: ignore[attr-defined]


class MappingForm(forms.Form):
    """One choice a column of the file: the field it fills, or left out; and a name to save
    the mapping under."""

    save_as = forms.CharField(
        label="Save this mapping as (optional)",
        required=False,
        max_length=100,
        help_text="Pick it next time you import the same export.",
    )

    def __init__(
        self, *args: Any, headers: list[MappedHeader], fields: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "Choose a field, or leave the column out"), (IGNORE, "(not imported)")]
        choices += [(name, name) for name in fields]
        for shown in headers:
            initial = shown.field or (IGNORE if shown.decided else "")
            self.fields[self.field_name(shown)] = forms.ChoiceField(
                label=f"Field for column {shown.header or shown.position + 1}",
                choices=choices,
                initial=initial,
                required=False,
            )

    @staticmethod
    def field_name(shown: MappedHeader) -> str:
        return f"column_{shown.position}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for shown in self.headers:
            name = self.field_name(shown)
            if not data.get(name):
                self.add_error(name, f"Choose a field for “{shown.header}”, or leave it out.")
        taken: dict[str, str] = {}
        for shown in self.headers:
            choice = data.get(self.field_name(shown))
            if choice and choice != IGNORE:
                if choice in taken:
                    self.add_error(
                        self.field_name(shown),
                        f"“{shown.header}” and “{taken[choice]}” both fill {choice}: "
                        "choose one of them.",
                    )
                taken[choice] = shown.header
        return data

    def pairs(self) -> dict[str, str]:
        """The mapping's pairs: each column whose choice differs from the kind's own match."""
        pairs: dict[str, str] = {}
        for shown in self.headers:
            choice = self.cleaned_data.get(self.field_name(shown)) or IGNORE
            target = IGNORED if choice == IGNORE else choice
            if shown.header and target != shown.default:
                pairs[shown.header] = target
        return pairs
