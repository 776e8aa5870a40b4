"""Small builders for AutoCreate tests: a guardian with an email, linked to students."""

from __future__ import annotations

import datetime
from typing import Any

from tests.factories import StudentFactory
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, Student
from tutela.people.services import add_email, create_contact, link_student


def guardian(
    first: str,
    last: str,
    email: str | None = None,
    *,
    students: tuple[Student, ...] = (),
    relationship: str = "Mother",
    has_custody: bool = True,
    allow_data_access: bool = False,
    **detail: Any,
) -> Contact:
    contact = create_contact(
        actor=command_line_user(), first_name=first, last_name=last, is_active=True
    )
    if email:
        add_email(actor=command_line_user(), contact=contact, address=email, is_primary=True)
    for student in students:
        link_student(
            actor=command_line_user(),
            contact=contact,
            student=student,
            relationship_type=relationship,
            has_custody=has_custody,
            allow_data_access=allow_data_access,
            **detail,
        )
    return contact


def student(number: str, **fields: Any) -> Student:
    return StudentFactory.create(student_number=number, **fields)


YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)
