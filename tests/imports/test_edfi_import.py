"""``tutela import edfi``: the Grand Bend sample, 3.x parent files and unsafe XML."""

from __future__ import annotations

import datetime
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.factories import SchoolFactory, StudentFactory
from tutela.core.audit import command_line_user
from tutela.people.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    RestrictionKind,
    Student,
    StudentContact,
)
from tutela.people.services import lift_restriction

pytestmark = pytest.mark.django_db

GRAND_BEND = Path(__file__).parents[2] / "src" / "tutela" / "sampledata" / "grand_bend"
DATA = Path(__file__).parents[1] / "data" / "edfi"
ELEMENTARY = "255901107"


def run_json(run: Run) -> dict[str, Any]:
    assert run.out, run.err
    found: dict[str, Any] = json.loads(run.out)
    return found


def test_grand_bend_imports_every_person_and_link_and_again_changes_nothing(
    tutela: Callable[..., Run],
) -> None:
    run = tutela("import", "edfi", str(GRAND_BEND), "--school", ELEMENTARY, "--json")
    assert run.code == 0, run.err
    result = run_json(run)
    assert Student.objects.count() == 960
    assert Contact.objects.count() == 1873
    assert StudentContact.objects.count() == 1872
    assert ContactEmail.objects.count() == 108
    assert ContactPhone.objects.count() == 2202
    assert ContactAddress.objects.count() == 1872
    assert Student.objects.filter(school__school_number=ELEMENTARY).count() > 733
    warned = [row for row in result["rows_report"] if row.get("warnings")]
    assert [row["group"] for row in warned] == [
        "contact 778426",
        "contact 778570",
        "contact 779573",
    ]
    assert "Mc Mahon@example1.com" in warned[0]["warnings"][0]
    assert warned[0]["element"] == "Contact.xml line 13588"
    assert warned[0]["outcome"] == "added"
    unmapped = {(u["descriptor"], u["count"]) for u in result["unmapped_descriptors"]}
    assert ("uri://ed-fi.org/SexDescriptor#Female", 912) in unmapped
    mother = StudentContact.objects.get(
        student__student_number="604821", contact__unique_id="778393"
    )
    detail = mother.details.get()
    assert detail.relationship_type is not None and detail.relationship_type.code == "Mother"
    assert (detail.lives_with, detail.is_emergency_contact, detail.allow_data_access) == (
        True,
        True,
        True,
    )

    again = run_json(tutela("import", "edfi", str(GRAND_BEND), "--school", ELEMENTARY, "--json"))
    assert again["outcomes"]["unchanged"] == again["rows"] == 4708


def test_students_without_a_school_are_rejected_naming_why(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    for name in ("Student.xml", "EducationOrganization.xml"):
        shutil.copy(GRAND_BEND / name, tmp_path / name)
    run = tutela("import", "edfi", str(tmp_path), "--json")
    assert run.code == 1
    rows = run_json(run)["rows_report"]
    rejected = [row for row in rows if row["outcome"] == "rejected"]
    assert len(rejected) == 960
    assert "give --school N" in rejected[0]["errors"][0]
    assert rejected[0]["element"] == "Student.xml line 3"


def test_a_3x_parent_file_with_ref_and_identity_references(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    school = SchoolFactory.create(school_number="7")
    StudentFactory.create(student_number="S-1", school=school)
    shutil.copy(DATA / "Parent-3x.xml", tmp_path / "parents.xml")
    result = run_json(tutela("import", "edfi", str(tmp_path), "--json"))
    assert result["outcomes"]["added"] == 4
    rosa = Contact.objects.get(unique_id="9001")
    assert [e.address for e in rosa.emails.all()] == ["rosa@example.org"]
    assert rosa.gender is not None and rosa.gender.code == "F"
    links = {link.contact.unique_id: link for link in StudentContact.objects.all()}
    assert links["9001"].details.get().has_custody is True
    sam = links["9002"]
    assert (sam.restricted, sam.restricted_note) == (True, "Court order 12-345: no pickup")
    assert sam.details.get().relationship_type is None
    assert result["unmapped_descriptors"] == [
        {
            "descriptor": "uri://ed-fi.org/RelationDescriptor#Godparent",
            "code_set": "RelationshipType",
            "count": 1,
        }
    ]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<InterchangeStudent xmlns="http://ed-fi.org/5.2.0"><Student><StudentUniqueId>&lol2;</StudentUniqueId></Student></InterchangeStudent>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<InterchangeStudent xmlns="http://ed-fi.org/5.2.0"><Student><StudentUniqueId>&secret;</StudentUniqueId></Student></InterchangeStudent>
"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL], ids=["entity bomb", "external entity"])
def test_entities_are_refused(tutela: Callable[..., Run], tmp_path: Path, text: str) -> None:
    (tmp_path / "Student.xml").write_text(text)
    run = tutela("import", "edfi", str(tmp_path), "--school", "1")
    assert run.code == 2
    assert "document type declaration" in run.err and "refused" in run.err
    assert "Traceback" not in run.err
    assert not Student.objects.exists()


def test_a_folder_without_edfi_files_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "other.xml").write_text("<root/>")
    run = tutela("import", "edfi", str(tmp_path))
    assert run.code == 2
    assert "holds no Ed-Fi XML interchange" in run.err


BIRTHS = """<?xml version="1.0"?>
<InterchangeStudent xmlns="http://ed-fi.org/5.2.0">
<Student><StudentUniqueId>B-1</StudentUniqueId><Name><FirstName>Bea</FirstName>
<LastSurname>Born</LastSurname></Name><BirthDate>2008-12-10</BirthDate></Student>
<Student><StudentUniqueId>B-2</StudentUniqueId><Name><FirstName>Bad</FirstName>
<LastSurname>Date</LastSurname></Name><BirthDate>12/10/2008</BirthDate></Student>
</InterchangeStudent>
"""


def test_a_students_birth_date_is_read_and_a_bad_one_rejects_it(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    SchoolFactory.create(school_number="7")
    (tmp_path / "Student.xml").write_text(BIRTHS)
    result = run_json(tutela("import", "edfi", str(tmp_path), "--school", "7", "--json"))
    assert Student.objects.get(student_number="B-1").date_of_birth == datetime.date(2008, 12, 10)
    assert not Student.objects.filter(student_number="B-2").exists()
    rejected = [row for row in result["rows_report"] if row["status"] == "rejected"]
    assert rejected[0]["errors"] == ["BirthDate '12/10/2008' is not a date (YYYY-MM-DD)"]


def contact_file(tmp_path: Path, restriction: str | None) -> Path:
    """The 3.x parents file as Data Standard 5 writes it (Contact, ``ContactRestrictions``)."""
    text = (DATA / "Parent-3x.xml").read_text().replace("Parent", "Contact")
    text = text.replace("http://ed-fi.org/0220", "http://ed-fi.org/5.2.0")
    note = "<ContactRestrictions>Court order 12-345: no pickup</ContactRestrictions>"
    assert note in text
    text = text.replace(
        note,
        "" if restriction is None else f"<ContactRestrictions>{restriction}</ContactRestrictions>",
    )
    (tmp_path / "Contact.xml").write_text(text)
    return tmp_path


def test_contact_restrictions_restrict_the_link_with_a_record_and_a_file_never_lifts_one(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    school = SchoolFactory.create(school_number="7")
    StudentFactory.create(student_number="S-1", school=school)
    run_json(tutela("import", "edfi", str(contact_file(tmp_path, "Protective order 77")), "--json"))
    link = StudentContact.objects.get(contact__unique_id="9002")
    assert (link.restricted, link.restricted_note) == (True, "Protective order 77")
    assert not link.grants_access()
    restriction = link.restrictions.get()
    assert (restriction.kind, restriction.note, restriction.lifted_at) == (
        RestrictionKind.OTHER,
        "Protective order 77",
        None,
    )
    assert restriction.restricted_by is None and "(command line)" in restriction.restricted_by_name
    # A later file without the restriction, or with another text, leaves it as recorded.
    for later in (None, "Another text"):
        run_json(tutela("import", "edfi", str(contact_file(tmp_path, later)), "--json"))
        link.refresh_from_db()
        assert (link.restricted, link.restricted_note) == (True, "Protective order 77")
        assert link.restrictions.get() == restriction and not link.grants_access()
    # Lifted by an admin with a note, a file can restrict it again: a second record.
    lift_restriction(actor=command_line_user(), link=link, note="Order ended")
    run_json(tutela("import", "edfi", str(contact_file(tmp_path, "New order 88")), "--json"))
    link.refresh_from_db()
    assert link.restricted and link.restricted_note == "New order 88"
    assert [r.note for r in link.restrictions.order_by("id")] == [
        "Protective order 77",
        "New order 88",
    ]


def test_an_archive_whose_part_unpacks_too_big_is_refused_before_it_is_read(
    tutela: Callable[..., Run], tmp_path: Path, settings: Any
) -> None:
    settings.TUTELA_MAX_SHEET_MB = 1
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Student.xml", "<x>" + " " * 3_000_000 + "</x>")
    run = tutela("import", "edfi", str(path))
    assert run.code == 2
    assert "the archive unpacks to" in run.err and "Student.xml" in run.err
