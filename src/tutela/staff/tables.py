"""The staff search's result tables (django-tables2): paginated and sortable, never cut."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from tutela.people.models import Contact, Student

PER_PAGE = 25


class ContactTable(tables.Table):
    """Each matching contact with its emails, phones and the students the reader may see."""

    name = tables.Column(
        verbose_name="Contact", empty_values=(), order_by=("last_name", "first_name", "id")
    )
    id = tables.Column(verbose_name="ID")
    emails = tables.Column(verbose_name="Emails", empty_values=(), orderable=False)
    phones = tables.Column(verbose_name="Phones", empty_values=(), orderable=False)
    students = tables.Column(verbose_name="Students", empty_values=(), orderable=False)

    class Meta:
        model = Contact
        fields = ("name", "id", "emails", "phones", "students")
        order_by = ("name",)
        empty_text = "No contact matches."
        verbose_name = "contacts"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The students of the shown page the reader may see; the view sets it once paged.
        self.seen: set[int] = set()

    def render_name(self, record: Contact) -> str:
        label = ", ".join(part for part in (record.last_name, record.first_name) if part)
        return format_html('<a href="{}">{}</a>', reverse("staff:contact", args=[record.pk]), label)

    def render_emails(self, record: Contact) -> str:
        return format_html_join(
            "", "<div>{}</div>", ((email.address,) for email in record.emails.all())
        )

    def render_phones(self, record: Contact) -> str:
        return format_html_join(
            "", "<div>{}</div>", ((str(use.phone),) for use in record.phones.all())
        )

    def render_students(self, record: Contact) -> str:
        links = list(record.student_links.all())
        shown = format_html_join(
            "",
            "<div>{} {} ({})</div>",
            (
                (link.student.first_name, link.student.last_name, link.student.student_number)
                for link in links
                if link.student_id in self.seen
            ),
        )
        hidden = sum(link.student_id not in self.seen for link in links)
        if hidden:
            return format_html(
                '{}<div class="muted">and {} student{} at another school</div>',
                shown,
                hidden,
                pluralize(hidden),
            )
        return shown


class StudentTable(tables.Table):
    """Each matching student, linked to the student page (contacts, access code, who sees
    the student in the portal)."""

    name = tables.Column(
        verbose_name="Student", empty_values=(), order_by=("last_name", "first_name", "id")
    )
    student_number = tables.Column(verbose_name="Number")
    school = tables.Column(verbose_name="School", order_by=("school__name",))
    grade_level = tables.Column(verbose_name="Grade")

    class Meta:
        model = Student
        fields = ("name", "student_number", "school", "grade_level")
        order_by = ("name",)
        empty_text = "No student matches."
        verbose_name = "students"

    def render_name(self, record: Student) -> str:
        label = ", ".join(part for part in (record.last_name, record.first_name) if part)
        return format_html('<a href="{}">{}</a>', reverse("staff:student", args=[record.pk]), label)
