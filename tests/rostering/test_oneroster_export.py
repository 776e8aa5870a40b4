"""``tutela export oneroster``: a OneRoster 1.1 CSV package of the cast. Hana is Holly's mother
(granted) and Hugo's (not granted); Leo is Lila's father (granted); Una has no account."""

from __future__ import annotations

import csv
import datetime
import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from auditlog.models import LogEntry

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import AccountFactory, SectionFactory
from tutela.accounts.services import disable_account
from tutela.core.audit import audited, command_line_user
from tutela.people.models import StudentContact
from tutela.people.services import restrict_link, set_unique_id
from tutela.rostering.models import SourcedId

pytestmark = pytest.mark.django_db

BINDING_FILES = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
]
HEADERS = {
    "manifest.csv": "propertyName,value",
    "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "users.csv": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
    "userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
    "password",
    "academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses.csv": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,"
    "grades,orgSourcedId,subjects,subjectCodes",
    "classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
}


def read(path: Path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in archive.namelist()
        }


def header_lines(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode("utf-8").split("\r\n", 1)[0]
            for name in archive.namelist()
        }


def users_by_name(files: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    return {row["givenName"]: row for row in files["users.csv"]}


def export(tutela: Callable[..., Run], path: Path, *args: str) -> dict[str, list[dict[str, str]]]:
    result = tutela("export", "oneroster", "--output", str(path), *args)
    assert result.code == 0, result.err
    return read(path)


def test_the_parent_leaves_with_only_the_granted_child_on_both_sides(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    users = users_by_name(export(tutela, tmp_path / "or.zip"))
    hana, holly, hugo = users["Hana"], users["Holly"], users["Hugo"]
    assert hana["role"] == "parent"
    assert hana["agentSourcedIds"] == holly["sourcedId"]
    assert holly["agentSourcedIds"] == hana["sourcedId"]
    assert hugo["agentSourcedIds"] == ""
    assert hana["username"] == "hana.hill"
    assert hana["email"] == "hana@example.org"
    assert users["Leo"]["agentSourcedIds"] == users["Lila"]["sourcedId"]


def test_a_restricted_link_and_an_ungranted_one_are_absent(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=command_line_user(), link=link, kind="court-order", note="order 7")
    users = users_by_name(export(tutela, tmp_path / "or.zip"))
    assert "Leo" not in users  # restricted: nothing else of his may leave
    assert "Una" not in users  # no account
    assert users["Lila"]["agentSourcedIds"] == ""
    assert users["Hugo"]["agentSourcedIds"] == ""


def test_students_carry_number_school_and_ceds_grade(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    files = export(tutela, tmp_path / "or.zip")
    users = users_by_name(files)
    orgs = {row["identifier"]: row for row in files["orgs.csv"]}
    holly = users["Holly"]
    assert (holly["role"], holly["identifier"], holly["grades"]) == ("student", "2001", "03")
    assert holly["orgSourcedIds"] == orgs["10"]["sourcedId"]
    assert users["Hana"]["orgSourcedIds"] == orgs["10"]["sourcedId"]
    assert holly["status"] == holly["dateLastModified"] == ""
    district = orgs[""]
    assert district["type"] == "district"
    assert orgs["20"]["parentSourcedId"] == district["sourcedId"]


def test_the_manifest_and_every_header_are_the_bindings(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "or.zip"
    files = export(tutela, path)
    manifest = {row["propertyName"]: row["value"] for row in files["manifest.csv"]}
    present = {"academicSessions", "classes", "courses", "enrollments", "orgs", "users"}
    assert manifest == {
        "manifest.version": "1.0",
        "oneroster.version": "1.1",
        **{f"file.{name}": "bulk" if name in present else "absent" for name in BINDING_FILES},
        "source.systemName": "Tutela",
    }
    assert [row["propertyName"] for row in files["manifest.csv"]][2:-1] == [
        f"file.{name}" for name in BINDING_FILES
    ]
    assert header_lines(path) == HEADERS


def test_sections_become_courses_classes_and_enrollments(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    teacher = AccountFactory.create(username="ms.tee", first_name="Tia", last_name="Tee")
    section = SectionFactory.create(section_id="S-1", school=cast.hillcrest, name="Math 3")
    section.teachers.add(teacher)
    section.students.add(cast.holly)
    files = export(tutela, tmp_path / "or.zip")
    users = users_by_name(files)
    (klass,) = files["classes.csv"]
    (course,) = files["courses.csv"]
    (session,) = files["academicSessions.csv"]
    assert (klass["title"], klass["classCode"], klass["courseSourcedId"]) == (
        "Math 3",
        "S-1",
        course["sourcedId"],
    )
    assert klass["termSourcedIds"] == session["sourcedId"] == course["schoolYearSourcedId"]
    assert session["type"] == "schoolYear"
    datetime.date.fromisoformat(session["startDate"])
    enrolled = {(row["userSourcedId"], row["role"]) for row in files["enrollments.csv"]}
    assert enrolled == {
        (users["Tia"]["sourcedId"], "teacher"),
        (users["Holly"]["sourcedId"], "student"),
    }
    assert users["Tia"]["role"] == "teacher"


def test_parents_are_never_enrolled_and_no_parents_leaves_them_out(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    section = SectionFactory.create(section_id="S-1", school=cast.hillcrest)
    section.students.add(cast.holly)
    files = export(tutela, tmp_path / "or.zip", "--no-parents")
    users = users_by_name(files)
    assert "Hana" not in users
    assert users["Holly"]["agentSourcedIds"] == ""
    assert {row["role"] for row in files["enrollments.csv"]} == {"student"}


def test_limited_to_a_school(cast: Cast, tutela: Callable[..., Run], tmp_path: Path) -> None:
    files = export(tutela, tmp_path / "or.zip", "--school", "20")
    assert set(users_by_name(files)) == {"Lila", "Leo"}
    assert [row["identifier"] for row in files["orgs.csv"]] == ["", "20"]


def test_an_unknown_school_is_refused(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    result = tutela("export", "oneroster", "--output", str(tmp_path / "x.zip"), "--school", "99")
    assert result.code == 2
    assert "--school 99" in result.err
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("since", ["yesterday", "2026-12-02 10:00:00", "2026-12-02T10:00:00"])
def test_a_bad_since_is_refused(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path, since: str
) -> None:
    result = tutela("export", "oneroster", "--output", str(tmp_path / "x.zip"), "--since", since)
    assert result.code == 2
    assert "--since" in result.err and "ISO 8601" in result.err
    assert "Traceback" not in result.err


def test_sourced_ids_stay_what_they_were_first(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    first = users_by_name(export(tutela, tmp_path / "a.zip"))
    set_unique_id(actor=command_line_user(), contact=cast.hana_contact, unique_id="P-77")
    cast.holly.student_number = "9999"
    cast.holly.save()
    again = users_by_name(export(tutela, tmp_path / "b.zip"))
    assert again["Hana"]["sourcedId"] == first["Hana"]["sourcedId"]
    assert again["Holly"]["sourcedId"] == first["Holly"]["sourcedId"] == "2001"


def test_a_new_parent_gets_its_unique_id_as_sourced_id(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    set_unique_id(actor=command_line_user(), contact=cast.hana_contact, unique_id="P-77")
    assert users_by_name(export(tutela, tmp_path / "a.zip"))["Hana"]["sourcedId"] == "P-77"


def test_a_delta_after_revoking_a_grant_carries_the_change(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    bulk = users_by_name(export(tutela, tmp_path / "bulk.zip"))
    latest = LogEntry.objects.latest("timestamp").timestamp
    since = latest + datetime.timedelta(milliseconds=1)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S.") + f"{since.microsecond // 1000:03d}Z"
    link = StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)
    detail = link.details.get()
    detail.allow_data_access = False
    with audited(command_line_user()):
        detail.save()
    path = tmp_path / "delta.zip"
    files = export(tutela, path, "--since", stamp)
    manifest = {row["propertyName"]: row["value"] for row in files["manifest.csv"]}
    assert manifest["file.users"] == "delta"
    # Every file a delta may carry is "delta", empty when nothing of it changed.
    assert manifest["file.orgs"] == manifest["file.enrollments"] == "delta"
    assert manifest["file.academicSessions"] == "absent"
    assert files["orgs.csv"] == files["classes.csv"] == files["enrollments.csv"] == []
    users = users_by_name(files)
    assert set(users) == {"Holly", "Hugo", "Hana"}
    assert users["Holly"]["status"] == "active"
    assert users["Holly"]["agentSourcedIds"] == ""
    hana = users["Hana"]
    assert (hana["sourcedId"], hana["status"]) == (bulk["Hana"]["sourcedId"], "tobedeleted")
    assert hana["dateLastModified"] >= stamp  # the same format sorts as text
    assert header_lines(path)["users.csv"] == HEADERS["users.csv"]


def test_a_delta_after_disabling_an_account_marks_the_parent(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    export(tutela, tmp_path / "bulk.zip")
    disable_account(actor=command_line_user(), account=cast.leo)
    users = users_by_name(export(tutela, tmp_path / "d.zip", "--since", "2000-01-01T00:00:00Z"))
    assert users["Leo"]["status"] == "tobedeleted"
    assert users["Lila"]["agentSourcedIds"] == ""
    assert users["Hana"]["status"] == "active"


def test_a_delta_sends_nothing_when_nothing_changed(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    files = export(tutela, tmp_path / "d.zip", "--since", "2999-01-01T00:00:00.000Z")
    assert files["users.csv"] == []


def test_nothing_secret_leaves_and_the_file_is_private(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    cast.hana.set_password("correct horse battery staple")
    cast.hana.save()
    path = tmp_path / "or.zip"
    files = export(tutela, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert all(row["password"] == "" for row in files["users.csv"])
    with zipfile.ZipFile(path) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert cast.hana.password not in text
    assert "correct horse" not in text
    assert SourcedId.objects.filter(kind="contact").count() == 2


def test_a_delta_carries_the_classes_and_enrollments_a_sections_import_changed(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    AccountFactory.create(username="ms.tee", first_name="Tia", last_name="Tee")
    kept = SectionFactory.create(section_id="S-1", school=cast.hillcrest, name="Math 3")
    kept.students.add(cast.holly)
    hugo = users_by_name(export(tutela, tmp_path / "bulk.zip"))["Hugo"]["sourcedId"]
    latest = LogEntry.objects.latest("timestamp").timestamp + datetime.timedelta(milliseconds=1)
    since = latest.strftime("%Y-%m-%dT%H:%M:%S.") + f"{latest.microsecond // 1000:03d}Z"
    sections = tmp_path / "sections.csv"
    sections.write_text(
        "Section_ID,SchoolID,Course_Name,Teacher_Username,Teacher_Email,Student_Number\n"
        "S-1,10,Math 3,,,2001\n"
        "S-2,10,Art,ms.tee,,2002\n",
        encoding="utf-8",
    )
    assert tutela("import", "sections", str(sections)).code == 0
    files = export(tutela, tmp_path / "delta.zip", "--since", since)
    manifest = {row["propertyName"]: row["value"] for row in files["manifest.csv"]}
    assert manifest["file.classes"] == manifest["file.courses"] == "delta"
    # S-1 is unchanged: only the new Art class, its course and its two enrollments travel.
    (klass,) = files["classes.csv"]
    assert (klass["classCode"], klass["status"]) == ("S-2", "active")
    assert klass["dateLastModified"].endswith("Z") and len(klass["dateLastModified"]) == 24
    (course,) = files["courses.csv"]
    assert (course["sourcedId"], course["status"]) == (klass["courseSourcedId"], "active")
    users = users_by_name(files)
    assert users["Tia"]["status"] == "active"  # the new class's teacher is sent with it
    enrolled = {
        (row["userSourcedId"], row["role"], row["status"]) for row in files["enrollments.csv"]
    }
    assert enrolled == {
        (users["Tia"]["sourcedId"], "teacher", "active"),
        (hugo, "student", "active"),
    }
    assert all(row["classSourcedId"] == klass["sourcedId"] for row in files["enrollments.csv"])


def test_a_delta_marks_a_removed_class_tobedeleted(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    section = SectionFactory.create(section_id="S-9", school=cast.hillcrest, name="Band")
    bulk = export(tutela, tmp_path / "bulk.zip")
    (sent,) = bulk["classes.csv"]
    with audited(command_line_user()):
        section.delete()
    files = export(tutela, tmp_path / "delta.zip", "--since", "2000-01-01T00:00:00Z")
    (klass,) = files["classes.csv"]
    assert (klass["sourcedId"], klass["status"]) == (sent["sourcedId"], "tobedeleted")
    (course,) = files["courses.csv"]
    assert (course["sourcedId"], course["status"]) == (sent["courseSourcedId"], "tobedeleted")
