"""The search box of the staff search, as a django-filter filter set."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from tutela.accounts.scopes import Actor
from tutela.people.models import Contact
from tutela.people.search import search_contacts


class ContactSearchFilter(django_filters.FilterSet):
    """One box: what it finds is ``people.search``'s rule, within the actor's scope."""

    q = django_filters.CharFilter(
        label="Name, email, phone or student number", method="search", strip=True
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, queryset=Contact.objects.none(), **kwargs)
        self.actor = actor
        self.form.fields["q"].widget.attrs.update({"id": "q", "type": "search"})

    def search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return search_contacts(actor=self.actor, text=value)
