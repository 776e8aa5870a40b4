"""The named cast for access tests: who may see which student.

- **Dana**, district admin (sees the whole district).
- **Sam**, school admin of Lakeside only (another school than the Hill family's).
- **Hana Hill**, a parent with two children at Hillcrest: **Holly** (data access granted) and
  **Hugo** (linked, but data access not granted).
- **Leo Lake**, a parent of another family, with **Lila** at Lakeside (granted).
- **Una Unlinked**, a contact with an email and a student link but no account yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from tests.factories import AccountFactory, SectionFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, School, Student
from tutela.people.services import add_email, add_phone, create_contact, link_student, save_student

PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    hillcrest: School
    lakeside: School
    holly: Student
    hugo: Student
    lila: Student
    hana_contact: Contact
    leo_contact: Contact
    una_contact: Contact
    hana: Account
    leo: Account
    dana: Account
    sam: Account


def parent(*, first: str, last: str, email: str, phone: str) -> Contact:
    contact = create_contact(actor=command_line_user(), first_name=first, last_name=last)
    add_email(actor=command_line_user(), contact=contact, address=email, is_primary=True)
    add_phone(actor=command_line_user(), contact=contact, number=phone)
    return contact


def build_cast(*, with_passwords: bool = False) -> Cast:
    holly = save_student(
        actor=command_line_user(),
        student_number="2001",
        first_name="Holly",
        last_name="Hill",
        school_number="10",
        school_name="Hillcrest Elementary",
        grade_level="3",
    )
    hugo = save_student(
        actor=command_line_user(),
        student_number="2002",
        first_name="Hugo",
        last_name="Hill",
        school_number="10",
        grade_level="6",
    )
    lila = save_student(
        actor=command_line_user(),
        student_number="3001",
        first_name="Lila",
        last_name="Lake",
        school_number="20",
        school_name="Lakeside Middle",
        grade_level="7",
    )
    hana_contact = parent(first="Hana", last="Hill", email="hana@example.org", phone="555-0101")
    link_student(
        actor=command_line_user(),
        contact=hana_contact,
        student=holly,
        relationship_type="Mother",
        allow_data_access=True,
    )
    link_student(
        actor=command_line_user(),
        contact=hana_contact,
        student=hugo,
        relationship_type="Mother",
        allow_data_access=False,
    )
    leo_contact = parent(first="Leo", last="Lake", email="leo@example.org", phone="555-0202")
    link_student(
        actor=command_line_user(),
        contact=leo_contact,
        student=lila,
        relationship_type="Father",
        allow_data_access=True,
    )
    una_contact = parent(first="Una", last="Unlinked", email="una@example.org", phone="555-0303")
    link_student(
        actor=command_line_user(), contact=una_contact, student=lila, allow_data_access=True
    )
    password = PASSWORD if with_passwords else None
    hana = AccountFactory.create(
        username="hana.hill", email="hana@example.org", contact=hana_contact, password=password
    )
    leo = AccountFactory.create(
        username="leo@example.org", email="leo@example.org", contact=leo_contact, password=password
    )
    dana = AccountFactory.create(
        username="dana", email="", is_staff=True, is_district_admin=True, password=password
    )
    sam = AccountFactory.create(username="sam", email="", is_staff=True, password=password)
    sam.schools.add(lila.school)
    return Cast(
        hillcrest=holly.school,
        lakeside=lila.school,
        holly=holly,
        hugo=hugo,
        lila=lila,
        hana_contact=hana_contact,
        leo_contact=leo_contact,
        una_contact=una_contact,
        hana=hana,
        leo=leo,
        dana=dana,
        sam=sam,
    )


def client_as(cast: Cast, who: str) -> Client:
    """A test client signed in as one of the cast, as Lou (a teacher of one Lakeside section,
    not staff), or nobody ("anonymous"): the people every guard test tries."""
    client = Client()
    if who == "lou":
        lou = AccountFactory.create(username="lou")
        SectionFactory.create(
            section_id="HR-L", school=cast.lakeside, teachers=[lou], students=[cast.lila]
        )
        client.force_login(lou)
    elif who != "anonymous":
        client.force_login(getattr(cast, who))
    return client
