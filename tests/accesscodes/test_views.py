"""The access-code pages, with the wrong person getting 403/404 on each."""

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast
from tests.factories import AccountFactory, ContactFactory, SectionFactory
from tutela.accesscodes.models import AccessCode, AttemptPurpose, PendingLink, PendingStatus
from tutela.accesscodes.selectors import EXPORT_COLUMNS
from tutela.accesscodes.services import issuing, linking, redemption, registration
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def code_of(student: Any) -> str:
    return AccessCode.objects.get(student=student, revoked_at__isnull=True).formatted


@pytest.fixture
def codes(cast: Cast) -> Cast:
    issuing.generate_codes(actor=command_line_user())
    return cast


def rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == EXPORT_COLUMNS
    return list(reader)


# --- self-registration -----------------------------------------------------------------------


def test_a_parent_registers_with_a_code_and_sees_the_student(
    client: Client, codes: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert client.get("/register/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/register/",
            {
                "code": code_of(codes.holly).lower().replace("-", " "),
                "first_name": "Pat",
                "last_name": "Hill",
                "email": "pat@example.org",
            },
        )
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == ["pat@example.org"]
    link = re.search(r"https?://\S+", message.body)
    assert link and link.group(0).startswith("http://127.0.0.1:8000/register/")
    path = link.group(0).removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert not Account.objects.filter(email="pat@example.org").exists()  # opening changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    page = client.get("/portal/").content.decode()
    assert "Holly" in page and "Hugo" not in page
    account = Account.objects.get(email="pat@example.org")
    assert account.username == "pat@example.org" and account.contact is not None
    # Hana, Holly's other guardian with an account, is told
    assert [m.to for m in mailoutbox[1:]] == [["hana@example.org"]]
    assert client.get(path).status_code == 410  # the link worked once


def test_a_wrong_code_is_refused_with_a_clear_message_and_the_limit_applies(
    client: Client, codes: Cast
) -> None:
    form = {"first_name": "Pat", "last_name": "Hill", "email": "pat@example.org"}
    for _ in range(10):
        response = client.post("/register/", {**form, "code": "AAAA-AAAA-AAAA"})
        assert response.status_code == 200
        assert "not recognised" in response.content.decode()
    response = client.post("/register/", {**form, "code": code_of(codes.holly)})
    assert response.status_code == 429
    assert "Too many" in response.content.decode()


def test_the_eleventh_entry_after_ten_different_wrong_codes_is_refused_then_recovers(
    client: Client, codes: Cast
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tutela.accesscodes.models import CodeAttempt

    form = {"first_name": "Pat", "last_name": "Hill", "email": "pat@example.org"}
    for n in range(10):
        response = client.post("/register/", {**form, "code": f"AAAA-AAAA-AA{n:02d}"})
        assert response.status_code == 200
        assert "not recognised" in response.content.decode()
    response = client.post("/register/", {**form, "code": code_of(codes.holly)})
    assert response.status_code == 429 and "Too many" in response.content.decode()
    CodeAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    response = client.post("/register/", {**form, "code": code_of(codes.holly)})
    assert response.status_code == 200 and "Check your email" in response.content.decode()


def test_registration_is_gone_when_codes_are_off(client: Client, settings: Any) -> None:
    settings.ACCESS_CODES_ENABLED = False
    assert client.get("/register/").status_code == 404


def test_mismatched_passwords_create_nothing(
    client: Client, codes: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    tokens: list[str] = []
    registration.request_registration(
        entry=code_of(codes.lila),
        first_name="Pat",
        last_name="Lake",
        email="pat@example.org",
        remote_address=None,
        link_for=lambda t: tokens.append(t) or t,  # type: ignore[func-returns-value]
    )
    response = client.post(
        f"/register/{tokens[0]}/", {"password": PASSWORD, "password_again": PASSWORD + "x"}
    )
    assert response.status_code == 200 and "differ" in response.content.decode()
    assert not Account.objects.filter(email="pat@example.org").exists()


# --- Add Child -------------------------------------------------------------------------------


def test_a_signed_in_parent_adds_a_child(client: Client, codes: Cast) -> None:
    client.force_login(codes.leo)
    assert client.get("/portal/add-child/").status_code == 200
    response = client.post("/portal/add-child/", {"code": code_of(codes.holly)})
    assert response.status_code == 302
    page = client.get("/portal/").content.decode()
    assert "Holly" in page and "Lila" in page


def test_add_child_is_for_parents_only(client: Client, codes: Cast) -> None:
    assert client.get("/portal/add-child/").status_code == 302  # to sign-in
    client.force_login(codes.dana)
    assert client.post("/portal/add-child/", {"code": code_of(codes.holly)}).status_code == 403
    assert not StudentContact.objects.filter(
        student=codes.holly, contact__account=codes.dana
    ).exists()


# --- code downloads --------------------------------------------------------------------------


def test_a_district_admin_downloads_the_district_or_a_school(client: Client, codes: Cast) -> None:
    client.force_login(codes.dana)
    assert client.get("/staff/access-codes/").status_code == 200
    everyone = rows(client.get("/staff/access-codes/download/"))
    assert [r["Student_Number"] for r in everyone] == ["2001", "2002", "3001"]
    assert everyone[0]["Access_Code"] == code_of(codes.holly)
    lakeside = rows(client.get("/staff/access-codes/download/?school=20"))
    assert [r["Student_Number"] for r in lakeside] == ["3001"]


def test_a_nul_character_in_the_school_or_section_is_not_found_not_a_server_error(
    client: Client, codes: Cast
) -> None:
    client.force_login(codes.dana)
    assert client.get("/staff/access-codes/download/?section=%00").status_code == 404
    assert client.get("/staff/access-codes/download/?school=1%000").status_code == 404


def test_a_school_admin_downloads_only_their_school(client: Client, codes: Cast) -> None:
    client.force_login(codes.sam)
    assert [r["Student_Number"] for r in rows(client.get("/staff/access-codes/download/"))] == [
        "3001"
    ]
    assert client.get("/staff/access-codes/download/?school=10").status_code == 404


def test_a_teacher_downloads_their_own_section_and_not_another_teachers(
    client: Client, codes: Cast
) -> None:
    kim, lou = AccountFactory.create(username="kim"), AccountFactory.create(username="lou")
    SectionFactory.create(
        section_id="HR-K", school=codes.hillcrest, teachers=[kim], students=[codes.holly]
    )
    SectionFactory.create(
        section_id="HR-L", school=codes.lakeside, teachers=[lou], students=[codes.lila]
    )
    client.force_login(kim)
    page = client.get("/staff/access-codes/").content.decode()
    assert "HR-K" in page and "HR-L" not in page
    mine = rows(client.get("/staff/access-codes/download/?section=HR-K"))
    assert [r["Student_Number"] for r in mine] == ["2001"]
    assert client.get("/staff/access-codes/download/?section=HR-L").status_code == 404
    assert client.get("/staff/access-codes/download/?school=20").status_code == 404
    assert [r["Student_Number"] for r in rows(client.get("/staff/access-codes/download/"))] == [
        "2001"
    ]


def test_a_teacher_who_signs_in_lands_on_their_sections_codes(client: Client, codes: Cast) -> None:
    kim = AccountFactory.create(username="kim", password=PASSWORD)
    SectionFactory.create(
        section_id="HR-K", school=codes.hillcrest, teachers=[kim], students=[codes.holly]
    )
    response = client.post(
        "/accounts/sign-in/", {"username": "kim", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/staff/access-codes/"
    page = response.content.decode()
    assert 'href="/staff/access-codes/"' in page and "HR-K" in page
    assert "My students" not in page


def test_parents_and_strangers_get_no_codes(client: Client, codes: Cast) -> None:
    assert client.get("/staff/access-codes/download/").status_code == 302  # to sign-in
    client.force_login(codes.hana)
    assert client.get("/staff/access-codes/").status_code == 403
    assert client.get("/staff/access-codes/download/").status_code == 403


def test_staff_reset_a_students_code_within_their_scope(client: Client, codes: Cast) -> None:
    old = code_of(codes.lila)
    client.force_login(codes.sam)
    response = client.post("/staff/access-codes/reset/", {"student_number": "3001"})
    assert response.status_code == 302
    assert code_of(codes.lila) != old
    holly = code_of(codes.holly)
    assert client.post("/staff/access-codes/reset/", {"student_number": "2001"}).status_code == 404
    assert code_of(codes.holly) == holly


def test_a_school_admin_resets_every_code_of_their_school_and_no_other(
    client: Client, codes: Cast
) -> None:
    old_lila, holly = code_of(codes.lila), code_of(codes.holly)
    client.force_login(codes.sam)
    assert "Reset all codes of a school" in client.get("/staff/access-codes/").content.decode()
    response = client.post("/staff/access-codes/reset-all/", {"school": "20", "confirm": "on"})
    assert response.status_code == 302
    assert code_of(codes.lila) != old_lila and code_of(codes.holly) == holly
    assert (
        redemption.redeem_code(
            entry=code_of(codes.lila), purpose=AttemptPurpose.REGISTER, remote_address=None
        ).student
        == codes.lila
    )
    with pytest.raises(redemption.CodeNotAccepted):
        redemption.redeem_code(entry=old_lila, purpose=AttemptPurpose.REGISTER, remote_address=None)
    # another school's codes and the district's are not theirs to reset
    reset_all = "/staff/access-codes/reset-all/"
    assert client.post(reset_all, {"school": "10", "confirm": "on"}).status_code == 404
    assert client.post(reset_all, {"school": "", "confirm": "on"}).status_code == 403
    assert code_of(codes.holly) == holly


def test_a_district_admin_resets_every_code_of_the_district_once_confirmed(
    client: Client, codes: Cast
) -> None:
    before = {s.pk: code_of(s) for s in (codes.holly, codes.hugo, codes.lila)}
    client.force_login(codes.dana)
    client.post("/staff/access-codes/reset-all/", {"school": ""})  # not confirmed: nothing
    assert {s.pk: code_of(s) for s in (codes.holly, codes.hugo, codes.lila)} == before
    response = client.post("/staff/access-codes/reset-all/", {"school": "", "confirm": "on"})
    assert response.status_code == 302
    after = {s.pk: code_of(s) for s in (codes.holly, codes.hugo, codes.lila)}
    assert all(after[pk] != before[pk] for pk in before)
    assert "3 access code(s) of the district" in client.get("/staff/access-codes/").content.decode()


# --- the restricted queue ---------------------------------------------------------------------


def test_a_school_admin_decides_the_queue_of_their_school_only(
    client: Client, codes: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    StudentContact.objects.filter(student=codes.lila).update(restricted=True)
    StudentContact.objects.filter(student=codes.holly).update(restricted=True)
    newcomer = AccountFactory.create(
        username="newcomer@example.org", contact=ContactFactory.create()
    )
    lila_wait = linking.add_child(actor=newcomer, entry=code_of(codes.lila), remote_address=None)
    holly_wait = linking.add_child(actor=newcomer, entry=code_of(codes.holly), remote_address=None)
    assert lila_wait.pending and holly_wait.pending
    client.force_login(codes.sam)
    page = client.get("/staff/restricted-links/").content.decode()
    assert "Lila" in page and "Holly" not in page
    url = f"/staff/restricted-links/{holly_wait.pending.pk}/approve/"
    assert client.post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/restricted-links/{lila_wait.pending.pk}/approve/", {"note": "checked ID"}
        )
    assert response.status_code == 302
    approved = PendingLink.objects.get(pk=lila_wait.pending.pk)
    assert (approved.status, approved.decided_by, approved.decision_note) == (
        PendingStatus.APPROVED,
        codes.sam,
        "checked ID",
    )
    assert PendingLink.objects.get(pk=holly_wait.pending.pk).status == PendingStatus.PENDING
    client.force_login(codes.hana)
    assert client.get("/staff/restricted-links/").status_code == 403
