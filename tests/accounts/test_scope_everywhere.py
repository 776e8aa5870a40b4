"""A person's reach is the same on every screen and command: ``Scope.of(actor)``.

Over the named cast (Dana district admin, Sam school admin of Lakeside, Lou a teacher of one
Lakeside section, Hana and Leo parents, an anonymous visitor), the students and contacts each
reaches are asked of the staff search, the contact cards, the access-code download and the
``tutela codes export --as-user`` command, and must agree.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, client_as
from tests.conftest import run_tutela

pytestmark = pytest.mark.django_db

# who -> (student numbers, contact last names) they reach
REACH = {
    "dana": ({"2001", "2002", "3001"}, {"Hill", "Lake", "Unlinked"}),
    "sam": ({"3001"}, {"Lake", "Unlinked"}),
    "lou": ({"3001"}, set()),
    "hana": (set(), set()),
    "leo": (set(), set()),
    "anonymous": (set(), set()),
}
NAMES = {"2001": "Holly", "2002": "Hugo", "3001": "Lila"}


def _students_named(text: str) -> set[str]:
    return {number for number, name in NAMES.items() if name in text}


def _staff_search(client: Client) -> tuple[set[str], set[str]]:
    pages = [client.get(reverse("staff:search"), {"q": last}) for last in ("hill", "lake", "unl")]
    if any(page.status_code != 200 for page in pages):
        return set(), set()
    text = "".join(page.content.decode() for page in pages)
    contacts = {last for last in ("Hill", "Lake", "Unlinked") if f"{last}, " in text}
    return _students_named(text), contacts


def _contact_cards(client: Client, cast: Cast) -> tuple[set[str], set[str]]:
    students: set[str] = set()
    contacts: set[str] = set()
    for contact in (cast.hana_contact, cast.leo_contact, cast.una_contact):
        page = client.get(reverse("staff:contact", args=[contact.pk]))
        if page.status_code == 200:
            contacts.add(contact.last_name)
            students |= _students_named(page.content.decode())
    return students, contacts


def _numbers(text: str) -> set[str]:
    return {row["Student_Number"] for row in csv.DictReader(io.StringIO(text))}


def _code_download(client: Client) -> set[str]:
    page = client.get(reverse("accesscodes:codes-download"))
    if page.status_code != 200:
        return set()
    return _numbers(b"".join(page.streaming_content).decode())  # type: ignore[attr-defined]


def _codes_command(username: str, tmp_path: Path) -> set[str]:
    output = tmp_path / f"{username}.csv"
    run = run_tutela("codes", "export", "--output", str(output), "--as-user", username)
    assert run.code == 0, run.err
    return _numbers(output.read_text(encoding="utf-8"))


@pytest.mark.parametrize("who", list(REACH))
def test_each_person_reaches_the_same_students_and_contacts_everywhere(
    cast: Cast, who: str, tmp_path: Path
) -> None:
    students, contacts = REACH[who]
    client = client_as(cast, who)
    staff = who in {"dana", "sam"}
    assert _staff_search(client) == ((students, contacts) if staff else (set(), set()))
    assert _contact_cards(client, cast) == ((students, contacts) if staff else (set(), set()))
    assert _code_download(client) == (students if who in {"dana", "sam", "lou"} else set())
    if who != "anonymous":
        assert (
            _codes_command({"hana": "hana.hill", "leo": "leo@example.org"}.get(who, who), tmp_path)
            == students
        )


def test_a_school_admin_who_also_teaches_elsewhere_reaches_that_class_everywhere(
    cast: Cast, tmp_path: Path
) -> None:
    """Sam teaches a Hillcrest section with Holly in it: Holly (not her brother Hugo) and her
    mother reach him on the staff screens as on the code pages and the command."""
    from tests.factories import SectionFactory

    SectionFactory.create(
        section_id="ART-H", school=cast.hillcrest, teachers=[cast.sam]
    ).students.add(cast.holly)
    students, contacts = {"2001", "3001"}, {"Hill", "Lake", "Unlinked"}
    client = client_as(cast, "sam")
    assert _staff_search(client) == (students, contacts)
    assert _contact_cards(client, cast) == (students, contacts)
    assert _code_download(client) == students
    assert _codes_command("sam", tmp_path) == students
