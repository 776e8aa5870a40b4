"""AutoCreate: the plan for each (student, contact), and the real run that applies it."""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.provisioning.helpers import guardian, student
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContactDetail
from tutela.provisioning.eligibility import Eligibility
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.plan import plan_autocreate
from tutela.provisioning.selection import Selection
from tutela.provisioning.services import run_autocreate

pytestmark = pytest.mark.django_db


def lines_by(report_lines: Iterable[Any], contact_id: int) -> list[Any]:
    return [line for line in report_lines if line.contact == contact_id]


def test_siblings_shared_guardian_gets_one_account_attached_to_both() -> None:
    ann, ben = student("1001", first_name="Ann"), student("1002", first_name="Ben")
    mother = guardian("Maria", "Lopez", "maria@example.org", students=(ann, ben))

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    account = Account.objects.get(contact=mother)
    assert account.username == "maria@example.org"
    assert account.email == "maria@example.org"
    assert not account.has_usable_password()
    assert Account.objects.count() == 1
    actions = [(line.student, line.action) for line in lines_by(report.lines, mother.pk)]
    assert actions == [("1001", "create"), ("1002", "attach")]
    assert all(
        d.allow_data_access for d in StudentContactDetail.objects.filter(link__contact=mother)
    )


def test_an_ineligible_contact_gets_no_account() -> None:
    ann = student("1001")
    grandma = guardian(
        "Rosa",
        "Lopez",
        "rosa@example.org",
        students=(ann,),
        relationship="Grandmother",
        has_custody=False,
    )

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert not Account.objects.exists()
    [line] = report.lines
    assert line.contact == grandma.pk
    assert line.action == "skip"
    assert line.reason == "not eligible: no custody, relationship Grandmother"
    assert not StudentContactDetail.objects.get(link__contact=grandma).allow_data_access


def test_a_non_custodial_parent_gets_no_account_when_the_district_counts_custody_alone() -> None:
    ann = student("1001")
    father = guardian(
        "Juan",
        "Lopez",
        "juan@example.org",
        students=(ann,),
        relationship="Father",
        has_custody=False,
    )
    custody_only = Eligibility(custody=True, relationships=frozenset())

    report = run_autocreate(
        selection=Selection(), actor=command_line_user(), eligibility=custody_only
    )

    assert not Account.objects.filter(contact=father).exists()
    assert next(iter(report.lines)).reason == "not eligible: no custody, relationship Father"


def test_by_default_a_parent_without_custody_is_eligible_by_relationship() -> None:
    ann = student("1001")
    father = guardian(
        "Juan",
        "Lopez",
        "juan@example.org",
        students=(ann,),
        relationship="Father",
        has_custody=False,
    )
    run_autocreate(selection=Selection(), actor=command_line_user())
    assert Account.objects.filter(contact=father).exists()


def test_eligibility_is_judged_on_the_active_detail_not_an_ended_one() -> None:
    ann = student("1001")
    aunt = guardian(
        "Eva",
        "Lopez",
        "eva@example.org",
        students=(ann,),
        relationship="Aunt",
        has_custody=True,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    link = aunt.student_links.get()
    StudentContactDetail.objects.create(
        link=link, start_date=datetime.date(2021, 1, 2), has_custody=False
    )

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert next(iter(report.lines)).action == "skip"
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [(datetime.date(2020, 1, 1), datetime.date(2021, 1, 1)), (datetime.date(2999, 1, 1), None)],
)
def test_a_link_whose_only_detail_is_not_in_force_is_skipped(
    start: datetime.date, end: datetime.date | None
) -> None:
    guardian(
        "Maria",
        "Lopez",
        "maria@example.org",
        students=(student("1001"),),
        start_date=start,
        end_date=end,
    )

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert [(line.action, line.reason) for line in report.lines] == [
        ("skip", "the link's detail record is not in force today (ended or not begun)")
    ]
    assert not Account.objects.exists()


def test_an_email_shared_by_two_contacts_is_skipped_with_a_reason() -> None:
    ann = student("1001")
    mother = guardian("Maria", "Lopez", "family@example.org", students=(ann,))
    father = guardian("Juan", "Lopez", "FAMILY@example.org", students=(ann,), relationship="Father")

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert not Account.objects.exists()
    reasons = {line.contact: line.reason for line in report.lines}
    assert reasons[mother.pk] == (
        f"email family@example.org is also the primary email of contact #{father.pk} (Juan Lopez)"
    )
    assert reasons[father.pk].startswith("email FAMILY@example.org is also the primary email of")


def test_a_contact_without_an_email_is_skipped() -> None:
    ann = student("1001")
    guardian("Maria", "Lopez", None, students=(ann,))
    report = run_autocreate(selection=Selection(), actor=command_line_user())
    assert [(line.action, line.reason) for line in report.lines] == [("skip", "no email address")]


def test_an_email_already_used_by_another_contacts_account_is_a_duplicate_candidate() -> None:
    ann, ben = student("1001"), student("1002")
    first = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    run_autocreate(selection=Selection(), actor=command_line_user())
    # The same person entered again, on another child's record.
    second = guardian("Maria", "López", "Maria@Example.org", students=(ben,))

    report = run_autocreate(
        selection=Selection(student_numbers=("1002",)), actor=command_line_user()
    )

    [line] = report.lines
    assert line.action == "skip"
    assert line.reason == (
        f"duplicate candidate: email Maria@example.org is used by the account of contact "
        f"#{first.pk} (Maria Lopez)"
    )
    [duplicate] = report.duplicates
    assert duplicate.as_json() == {
        "email": "Maria@example.org",
        "contact": second.pk,
        "contact_name": "Maria López",
        "other_contact": first.pk,
        "other_contact_name": "Maria Lopez",
        "account": "maria@example.org",
    }
    assert not Account.objects.filter(contact=second).exists()
    assert not StudentContactDetail.objects.get(link__contact=second).allow_data_access


def test_a_duplicate_candidate_is_reported_when_both_contacts_are_in_the_selection() -> None:
    # The account's owner is in the selection too (its own student is selected): the second
    # contact is still a duplicate candidate naming both, not just "an email shared by two".
    ann, ben = student("1001"), student("1002")
    first = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    run_autocreate(selection=Selection(), actor=command_line_user())
    second = guardian("Maria", "López", "Maria@Example.org", students=(ben,))

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert [(line.contact, line.action) for line in report.lines] == [
        (first.pk, "already done"),
        (second.pk, "skip"),
    ]
    assert list(report.lines)[1].reason.startswith("duplicate candidate: email Maria@example.org")
    [duplicate] = report.duplicates
    assert (duplicate.contact, duplicate.other_contact) == (second.pk, first.pk)
    assert not Account.objects.filter(contact=second).exists()


def test_an_existing_account_of_the_contact_is_attached_and_then_already_done() -> None:
    ann = student("1001")
    mother = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    Account.objects.create(username="mlopez", email="", contact=mother)

    first = run_autocreate(selection=Selection(), actor=command_line_user())
    second = run_autocreate(selection=Selection(), actor=command_line_user())

    assert [(line.action, line.account) for line in first.lines] == [("attach", "mlopez")]
    assert [line.action for line in second.lines] == ["already done"]
    assert Account.objects.count() == 1


def test_simulation_writes_nothing_and_reports_what_the_real_run_does() -> None:
    ann, ben = student("1001"), student("1002")
    guardian("Maria", "Lopez", "maria@example.org", students=(ann, ben))
    guardian(
        "Rosa",
        "Lopez",
        "rosa@example.org",
        students=(ann,),
        relationship="Grandmother",
        has_custody=False,
    )
    guardian("Juan", "Lopez", None, students=(ben,), relationship="Father")
    before = list(StudentContactDetail.objects.values_list("id", "allow_data_access"))

    simulated = run_autocreate(selection=Selection(), actor=command_line_user(), simulate=True)

    assert not Account.objects.exists()
    assert list(StudentContactDetail.objects.values_list("id", "allow_data_access")) == before
    real = run_autocreate(selection=Selection(), actor=command_line_user())
    assert (simulated.totals(), list(simulated.lines), simulated.duplicates) == (
        real.totals(),
        list(real.lines),
        real.duplicates,
    )
    assert real.totals()["accounts_created"] == 1
    assert Account.objects.count() == 1


def test_selection_by_school_grade_and_file() -> None:
    from tests.factories import SchoolFactory

    north, south = (
        SchoolFactory.create(school_number="10"),
        SchoolFactory.create(school_number="20"),
    )
    a = student("1001", school=north, grade_level="3")
    b = student("1002", school=north, grade_level="4")
    c = student("1003", school=south, grade_level="3")
    for s, name in ((a, "a"), (b, "b"), (c, "c")):
        guardian(name, "Parent", f"{name}@example.org", students=(s,))

    def students_of(selection: Selection) -> list[str]:
        return [line.student for line in plan_autocreate(selection).lines]

    assert students_of(Selection()) == ["1001", "1002", "1003"]
    assert students_of(Selection(school="10")) == ["1001", "1002"]
    assert students_of(Selection(grades=("3",))) == ["1001", "1003"]
    assert students_of(Selection(school="10", grades=("4",))) == ["1002"]
    report = plan_autocreate(Selection(student_numbers=("1003", "9999")))
    assert [line.student for line in report.lines] == ["1003"]
    assert report.unknown_students == ["9999"]


def test_the_csv_plan_is_one_table_of_lines_even_with_duplicate_candidates(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    # "one line per (student, contact) ... as JSON and as a downloadable CSV": a plain CSV
    # reader (UTF-8, no byte-order mark) sees the JSON lines' columns and one row per line.
    ann, ben = student("1001"), student("1002")
    guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    run_autocreate(selection=Selection(), actor=command_line_user())
    guardian("Maria", "López", "Maria@Example.org", students=(ben,))
    plan_csv = tmp_path / "plan.csv"

    run = tutela("autocreate", "--simulate", "--json", "--report", str(plan_csv))

    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert len(data["duplicates"]) == 1
    with plan_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{k: str(v) for k, v in line.items()} for line in data["lines"]]
    assert [row["action"] for row in rows] == ["already done", "skip"]
    assert rows[1]["reason"].startswith("duplicate candidate: email Maria@example.org")


def test_the_command_simulates_and_prints_json_and_a_csv_plan(
    tutela: Callable[..., Run], tmp_path: Path, csv_file: Callable[..., Path]
) -> None:
    ann, ben = student("1001"), student("1002")
    guardian("Maria", "Lopez", "maria@example.org", students=(ann, ben))
    numbers = csv_file([["Student_Number"], ["1001"], ["1002"]])
    plan_csv = tmp_path / "plan.csv"

    simulated = tutela(
        "autocreate", "--students", str(numbers), "--simulate", "--json", "--report", str(plan_csv)
    )

    assert simulated.code == 0, simulated.err
    data = json.loads(simulated.out)
    assert data["simulate"] is True
    assert data["totals"]["accounts_created"] == 1
    assert not Account.objects.exists()
    text = plan_csv.read_text(encoding="utf-8-sig")
    assert (
        text.splitlines()[0]
        == "student,student_name,contact,contact_name,email,action,reason,account"
    )
    assert "create" in text and "attach" in text

    real = tutela("autocreate", "--students", str(numbers), "--json")
    assert real.code == 0
    assert {k: v for k, v in json.loads(real.out).items() if k not in {"simulate", "job"}} == {
        k: v for k, v in data.items() if k not in {"simulate", "job"}
    }
    assert Account.objects.count() == 1
    assert AutoCreateJob.objects.filter(status="done").count() == 2


def test_the_command_prints_a_summary(tutela: Callable[..., Run]) -> None:
    ann = student("1001", grade_level="5")
    guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    run = tutela("autocreate", "--grade", "5", "6", "--simulate")
    assert run.code == 0
    assert run.out.splitlines()[:2] == [
        "Simulation (nothing saved): grade 5, 6.",
        "1 student, 1 student-contact pair: 1 account to create, 0 to attach, "
        "0 already done, 0 skipped.",
    ]


def test_a_real_run_reports_what_it_did(tutela: Callable[..., Run]) -> None:
    ann, ben = student("1001"), student("1002")
    guardian("Maria", "Lopez", "maria@example.org", students=(ann, ben))
    run = tutela("autocreate")
    assert run.code == 0, run.err
    assert run.out.splitlines()[:2] == [
        "AutoCreate: all enrolled students.",
        "2 students, 2 student-contact pairs: 1 account created, 1 attached, "
        "0 already done, 0 skipped.",
    ]


def test_the_command_refuses_an_unknown_school(tutela: Callable[..., Run]) -> None:
    run = tutela("autocreate", "--school", "999")
    assert run.code == 2
    assert run.err.strip() == "tutela: --school 999: no school has this number"


def test_a_report_that_cannot_be_written_is_refused_before_anything_is_created(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    missing = tutela("autocreate", "--report", str(tmp_path / "no" / "plan.csv"))
    assert missing.code == 2
    assert missing.err.strip().endswith("does not exist")
    folder = tmp_path / "plan.csv"
    folder.mkdir()
    a_folder = tutela("autocreate", "--report", str(folder))
    assert a_folder.code == 2
    assert a_folder.err.strip() == f"tutela: --report {folder}: is a folder, not a file"
    assert not Account.objects.exists()


def test_the_command_sends_the_chosen_template_and_refuses_an_unknown_one(
    tutela: Callable[..., Run], mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    wrong = tutela("autocreate", "--email-template", "Nope")
    assert wrong.code == 2
    assert wrong.err.startswith("tutela: no account created email template 'Nope' (there are ")
    # Emails go once the run commits (here: when the test's capture of commit hooks ends).
    with django_capture_on_commit_callbacks(execute=True):
        run = tutela("autocreate", "--email-template", "Account created (Spanish)")
    assert run.code == 0, run.err
    [message] = mailoutbox
    assert message.to == ["maria@example.org"]
    assert "Su nombre de usuario: maria@example.org" in message.body


def test_the_command_draws_a_progress_bar_on_a_terminal(
    tutela: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.progress import Progress

    updates: list[tuple[Any, ...]] = []
    real_update = Progress.update

    def spy(self: Progress, task: Any, **fields: Any) -> None:
        updates.append((fields.get("completed"), fields.get("total"), fields.get("description")))
        real_update(self, task, **fields)

    monkeypatch.setattr(Progress, "update", spy)
    monkeypatch.setattr(
        "tutela.provisioning.management.commands.autocreate.on_terminal", lambda: True
    )
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))

    run = tutela("autocreate")

    assert run.code == 0, run.err
    assert updates[0] == (0, 2, "Planning")
    assert updates[-1] == (2, 2, "Writing")
    assert "AutoCreate: all enrolled students." in run.out


def test_an_email_that_cannot_be_a_username_is_skipped() -> None:
    from tutela.people.models import ContactEmail

    mother = guardian("Maria", "Lopez", None, students=(student("1001"),))
    ContactEmail.objects.create(contact=mother, address="maria at home", is_primary=True, order=1)
    report = run_autocreate(selection=Selection(), actor=command_line_user())
    assert [(line.action, line.reason) for line in report.lines] == [
        ("skip", "email maria at home is not a valid address")
    ]
    assert not Account.objects.exists()


def test_a_restricted_link_is_skipped_with_the_reason_restricted() -> None:
    ann = student("1001")
    father = guardian("Juan", "Lopez", "juan@example.org", students=(ann,), relationship="Father")
    father.student_links.update(restricted=True)  # a court order concerns this link

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    assert [(line.action, line.reason) for line in report.lines] == [("skip", "restricted")]
    assert not Account.objects.exists()
    assert not StudentContactDetail.objects.get(link__contact=father).allow_data_access
