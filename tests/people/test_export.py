import datetime
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.factories import SchoolFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Student
from tutela.people.services import (
    add_address,
    add_email,
    add_phone,
    create_contact,
    link_student,
    set_unique_id,
)

pytestmark = pytest.mark.django_db


def make_jane() -> tuple[int, ...]:
    student = Student.objects.create(
        student_number="1001", first_name="Ann", last_name="Smith", school=SchoolFactory.create()
    )
    jane = create_contact(
        actor=command_line_user(), last_name="Smith", first_name="Jane", gender="F"
    )
    email = add_email(
        actor=command_line_user(),
        contact=jane,
        address="jane@example.org",
        email_type="Home",
        is_primary=True,
    )
    phone = add_phone(
        actor=command_line_user(),
        contact=jane,
        number="212-555-0101",
        phone_type="Mobile",
        is_sms=True,
    )
    address = add_address(
        actor=command_line_user(),
        contact=jane,
        street="1 Main St",
        city="Albany",
        state="NY",
        postal_code="12207",
        address_type="Home",
    )
    link = link_student(
        actor=command_line_user(),
        contact=jane,
        student=student,
        original_contact_type="Mother",
        relationship_type="mother",
        has_custody=True,
        lives_with=True,
        allow_school_pickup=True,
        is_emergency_contact=True,
        receives_mailings=True,
    )
    return jane.pk, email.pk, phone.pk, address.pk, link.pk, link.details.get().pk


def test_a_contact_made_through_the_services_exports_in_the_documented_shape(
    tutela: Callable[..., Run],
) -> None:
    jane, email, phone, address, link, detail = make_jane()
    run = tutela("export", "contacts")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {
        "id": jane,
        "last_name": "Smith",
        "first_name": "Jane",
        "middle_name": None,
        "prefix": None,
        "suffix": None,
        "gender": "F",
        "state_contact_id": None,
        "employer": None,
        "exclude_from_state_reporting": True,
        "is_active": False,
        "unique_id": None,
        "emails": [
            {
                "assoc_id": email,
                "address": "jane@example.org",
                "type": "Home",
                "is_primary": True,
                "order": 1,
            }
        ],
        "phones": [
            {
                "assoc_id": phone,
                "number": "212-555-0101",
                "extension": None,
                "type": "Mobile",
                "priority_order": 1,
                "is_sms": True,
                "is_preferred": False,
            }
        ],
        "addresses": [
            {
                "assoc_id": address,
                "street": "1 Main St",
                "line_two": None,
                "unit": None,
                "city": "Albany",
                "state": "US_NY",
                "postal_code": "12207",
                "latitude": None,
                "longitude": None,
                "type": "Home",
                "start_date": None,
                "end_date": None,
                "priority_order": 1,
            }
        ],
        "students": [
            {
                "assoc_id": link,
                "student_number": "1001",
                "original_contact_type": "mother",
                "contact_priority_order": 1,
                "details": [
                    {
                        "detail_id": detail,
                        "relationship_type": "Mother",
                        "relationship_note": None,
                        "start_date": None,
                        "end_date": None,
                        "has_custody": True,
                        "lives_with": True,
                        "allow_school_pickup": True,
                        "is_emergency_contact": True,
                        "receives_mailings": True,
                        "allow_data_access": False,
                    }
                ],
            }
        ],
        "account": None,
    }


def test_lists_are_ordered_and_numbers_dates_and_accounts_are_typed(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    school = SchoolFactory.create()
    contact = create_contact(actor=command_line_user(), last_name="Lee")
    for number in ("2002", "1001"):
        link_student(
            actor=command_line_user(),
            contact=contact,
            student=Student.objects.create(
                student_number=number, first_name="K", last_name="Lee", school=school
            ),
        )
    link = contact.student_links.get(student__student_number="1001")
    link.details.create(start_date=datetime.date(2019, 8, 1), end_date=datetime.date(2019, 12, 1))
    add_phone(actor=command_line_user(), contact=contact, number="555-0102", priority_order=2)
    add_phone(actor=command_line_user(), contact=contact, number="555-0101", priority_order=1)
    add_address(
        actor=command_line_user(),
        contact=contact,
        street="2 Elm",
        latitude=Decimal("42.65"),
        longitude=Decimal("-73.75"),
        start_date=datetime.date(2024, 9, 1),
    )
    Account.objects.create(username="lee", email="lee@example.org", contact=contact)
    output = tmp_path / "contacts.jsonl"
    assert tutela("export", "contacts", "--output", str(output)).code == 0
    record = json.loads(output.read_text())
    assert [s["student_number"] for s in record["students"]] == ["1001", "2002"]
    assert [d["start_date"] for d in record["students"][0]["details"]] == [None, "2019-08-01"]
    assert [p["number"] for p in record["phones"]] == ["555-0101", "555-0102"]
    assert record["addresses"][0]["latitude"] == 42.65
    assert record["addresses"][0]["longitude"] == -73.75
    assert record["addresses"][0]["start_date"] == "2024-09-01"
    assert record["account"] == {
        "username": "lee",
        "email": "lee@example.org",
        "enabled": True,
        "state_guardian_number": None,
    }


def test_contacts_are_exported_in_id_order(tutela: Callable[..., Run]) -> None:
    ids = [create_contact(actor=command_line_user(), last_name=name).pk for name in ("B", "A", "C")]
    lines = tutela("export", "contacts").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(ids)


def test_an_output_in_a_missing_folder_exits_2_naming_it(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "contacts.jsonl"
    run = tutela("export", "contacts", "--output", str(target))
    assert run.code == 2
    assert run.err == f"tutela: --output {target}: the folder {target.parent} does not exist\n"


def test_a_failed_export_leaves_no_partial_file(
    tutela: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_contact(actor=command_line_user(), last_name="Lee")
    target = tmp_path / "contacts.jsonl"

    def broken(*args: object, **kwargs: object) -> Iterator[dict[str, object]]:
        raise OSError("disk full")
        yield  # pragma: no cover

    monkeypatch.setattr("tutela.rostering.management.commands.export.export_contacts", broken)
    run = tutela("export", "contacts", "--output", str(target))
    assert run.code == 2 and "disk full" in run.err
    assert list(tmp_path.iterdir()) == []


def test_a_contacts_unique_id_is_exported_as_written(tutela: Callable[..., Run]) -> None:
    jane = create_contact(actor=command_line_user(), last_name="Smith", first_name="Jane")
    set_unique_id(actor=command_line_user(), contact=jane, unique_id="  Sis-0042 ")
    run = tutela("export", "contacts")
    assert run.code == 0, run.err
    assert json.loads(run.out.splitlines()[0])["unique_id"] == "Sis-0042"
