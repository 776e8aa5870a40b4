"""Contacts as JSON-ready dictionaries, in the shape documented in ``docs/cli.md``.

Everything is loaded in a fixed number of queries per batch of contacts (no query per
contact), so exporting a whole district streams at a steady pace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from tutela.core.values import format_date
from tutela.people.details import start_key
from tutela.people.models import (
    Code,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    StudentContact,
    StudentContactDetail,
)

BATCH = 2000


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _text(value: str) -> str | None:
    return value or None


def export_contacts(batch_size: int = BATCH) -> Iterator[dict[str, Any]]:
    """Every contact ordered by id, with emails, phones, addresses, students and account."""
    codes = {c.pk: c for c in Code.objects.select_related("parent")}

    def code(pk: int | None) -> str | None:
        return codes[pk].qualified_code if pk is not None else None

    last_id = 0
    while True:
        contacts = list(Contact.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not contacts:
            return
        last_id = contacts[-1].pk
        ids = [c.pk for c in contacts]
        emails = defaultdict(list)
        for e in ContactEmail.objects.filter(contact_id__in=ids).order_by("order", "pk"):
            emails[e.contact_id].append(
                {
                    "assoc_id": e.pk,
                    "address": e.address,
                    "type": code(e.email_type_id),
                    "is_primary": e.is_primary,
                    "order": e.order,
                }
            )
        phones = defaultdict(list)
        for p in (
            ContactPhone.objects.filter(contact_id__in=ids)
            .select_related("phone")
            .order_by("priority_order", "pk")
        ):
            phones[p.contact_id].append(
                {
                    "assoc_id": p.pk,
                    "number": p.phone.number,
                    "extension": _text(p.phone.extension),
                    "type": code(p.phone_type_id),
                    "priority_order": p.priority_order,
                    "is_sms": p.phone.is_sms,
                    "is_preferred": p.is_preferred,
                }
            )
        addresses = defaultdict(list)
        for a in (
            ContactAddress.objects.filter(contact_id__in=ids)
            .select_related("address")
            .order_by("priority_order", "pk")
        ):
            addresses[a.contact_id].append(
                {
                    "assoc_id": a.pk,
                    "street": a.address.street,
                    "line_two": _text(a.address.line_two),
                    "unit": _text(a.address.unit),
                    "city": _text(a.address.city),
                    "state": code(a.address.state_id),
                    "postal_code": _text(a.address.postal_code),
                    "latitude": _number(a.address.latitude),
                    "longitude": _number(a.address.longitude),
                    "type": code(a.address_type_id),
                    "start_date": format_date(a.start_date),
                    "end_date": format_date(a.end_date),
                    "priority_order": a.priority_order,
                }
            )
        links = list(
            StudentContact.objects.filter(contact_id__in=ids)
            .select_related("student")
            .order_by("student__student_number", "pk")
        )
        details = defaultdict(list)
        for d in StudentContactDetail.objects.filter(link__in=links).order_by("pk"):
            details[d.link_id].append(d)
        students = defaultdict(list)
        for link in links:
            students[link.contact_id].append(
                {
                    "assoc_id": link.pk,
                    "student_number": link.student.student_number,
                    "original_contact_type": _text(link.original_contact_type),
                    "contact_priority_order": link.contact_priority_order,
                    "details": [
                        {
                            "detail_id": d.pk,
                            "relationship_type": code(d.relationship_type_id),
                            "relationship_note": _text(d.relationship_note),
                            "start_date": format_date(d.start_date),
                            "end_date": format_date(d.end_date),
                            "has_custody": d.has_custody,
                            "lives_with": d.lives_with,
                            "allow_school_pickup": d.allow_school_pickup,
                            "is_emergency_contact": d.is_emergency_contact,
                            "receives_mailings": d.receives_mailings,
                            "allow_data_access": d.allow_data_access,
                        }
                        for d in sorted(details[link.pk], key=lambda d: (start_key(d), d.pk))
                    ],
                }
            )
        accounts = _accounts(ids)
        for c in contacts:
            yield {
                "id": c.pk,
                "last_name": c.last_name,
                "first_name": _text(c.first_name),
                "middle_name": _text(c.middle_name),
                "prefix": code(c.prefix_id),
                "suffix": code(c.suffix_id),
                "gender": code(c.gender_id),
                "state_contact_id": _text(c.state_contact_id),
                "employer": _text(c.employer),
                "exclude_from_state_reporting": c.exclude_from_state_reporting,
                "is_active": c.is_active,
                "unique_id": _text(c.unique_id),
                "emails": emails[c.pk],
                "phones": phones[c.pk],
                "addresses": addresses[c.pk],
                "students": students[c.pk],
                "account": accounts.get(c.pk),
            }


def _accounts(contact_ids: list[int]) -> dict[int, dict[str, Any]]:
    from tutela.accounts.models import Account

    return {
        a.contact_id: {
            "username": a.username,
            "email": a.email or None,
            "enabled": a.is_active,
            "state_guardian_number": a.state_guardian_number or None,
        }
        for a in Account.objects.filter(contact_id__in=contact_ids)
        if a.contact_id is not None
    }
