"""The form of the sync target screens: a target's settings as a district admin sets them."""

from __future__ import annotations

from typing import Any

from django import forms

from tutela.people.models import School
from tutela.rostering.models import SyncFormat, SyncMode, SyncTarget
from tutela.rostering.services import TargetSettings


class SyncTargetForm(forms.Form):
    """A target's settings; ``name`` only when adding one, ``forget_host_key`` when editing."""

    name = forms.SlugField(
        label="Name", max_length=64, help_text="letters, digits, - and _ (e.g. canvas-nightly)"
    )
    format = forms.ChoiceField(label="Format", choices=SyncFormat.choices)
    destination = forms.CharField(
        label="Deliver to",
        max_length=500,
        help_text="a folder on this server (/srv/lms/inbox) or sftp://USER@HOST[:PORT]/DIR",
    )
    schools = forms.ModelMultipleChoiceField(
        label="Schools (none ticked: every school)",
        queryset=School.objects.order_by("school_number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_parents = forms.BooleanField(
        label="Include parents (off: Ignore Parents from the SIS)", required=False, initial=True
    )
    parents_in_rosters = forms.BooleanField(
        label="Parents in rosters (say whose parents they are, so they see the classes)",
        required=False,
        initial=True,
    )
    mode = forms.ChoiceField(label="Send", choices=SyncMode.choices)
    enabled = forms.BooleanField(label="Delivered every night", required=False, initial=True)
    forget_host_key = forms.BooleanField(
        label="Forget the pinned host key (the SFTP server's key really changed)", required=False
    )

    def __init__(self, *args: Any, target: SyncTarget | None = None, **kwargs: Any) -> None:
        if target is not None:
            kwargs.setdefault(
                "initial",
                {
                    "format": target.format,
                    "destination": target.destination,
                    "schools": list(target.schools.all()),
                    "include_parents": target.include_parents,
                    "parents_in_rosters": target.parents_in_rosters,
                    "mode": target.mode,
                    "enabled": target.enabled,
                },
            )
        super().__init__(*args, **kwargs)
        if target is None:
            del self.fields["forget_host_key"]
        else:
            del self.fields["name"]
            if not target.host_key:
                del self.fields["forget_host_key"]

    def chosen(self) -> TargetSettings:
        data = self.cleaned_data
        return TargetSettings(
            format=data["format"],
            destination=data["destination"],
            schools=tuple(data["schools"]),
            include_parents=data["include_parents"],
            parents_in_rosters=data["parents_in_rosters"],
            mode=data["mode"],
            enabled=data["enabled"],
        )
