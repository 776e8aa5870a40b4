import datetime
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory, SchoolFactory, StudentFactory
from tutela.accesscodes.codes import format_code
from tutela.accesscodes.models import (
    AccessCode,
    AddressBlock,
    AttemptOutcome,
    AttemptPurpose,
    CodeAttempt,
    PendingLink,
    PendingStatus,
    RegistrationRequest,
)
from tutela.accesscodes.services import issuing, linking, redemption, registration, restricted_queue
from tutela.core.audit import command_line_user
from tutela.notifications import email
from tutela.people.models import Contact, ContactEmail, StudentContact
from tutela.people.services import ServiceError, add_email, link_student

pytestmark = pytest.mark.django_db

Account = get_user_model()
PASSWORD = "a long enough passphrase"
ADDRESS = "203.0.113.7"


def current_code(student: Any) -> AccessCode:
    return AccessCode.objects.get(student=student, revoked_at__isnull=True)


def links() -> dict[str, str]:
    """Tokens by email, caught from the verification emails' links."""
    from django.core import mail

    found = {}
    for message in mail.outbox:
        match = re.search(r"/register/([\w-]+)/", str(message.body))
        if match:
            found[message.to[0]] = match.group(1)
    return found


def register(
    code: str,
    email: str,
    capture: Any,
    *,
    first: str = "Pat",
    last: str = "Lee",
    address: str = ADDRESS,
) -> registration.Registration:
    tokens: list[str] = []

    def link_for(token: str) -> str:
        tokens.append(token)
        return f"http://testserver/register/{token}/"

    with capture(execute=True):
        registration.request_registration(
            entry=code,
            first_name=first,
            last_name=last,
            email=email,
            remote_address=address,
            link_for=link_for,
        )
    assert tokens, "no verification link was made"
    with capture(execute=True):
        return registration.register_with_code(token=tokens[0], password=PASSWORD)


@pytest.fixture
def student() -> Any:
    student = StudentFactory.create(first_name="Mia", last_name="Lee")
    issuing.reset_codes(actor=command_line_user(), student=student)
    return student


# --- issuing, resetting, expiry, single use --------------------------------------------------


def test_generate_gives_every_student_one_code_and_missing_only_keeps_existing_ones() -> None:
    elm, oak = SchoolFactory.create(school_number="10"), SchoolFactory.create(school_number="20")
    ann, bo = StudentFactory.create(school=elm), StudentFactory.create(school=oak)
    assert issuing.generate_codes(actor=command_line_user(), school=elm) == 1
    assert not AccessCode.objects.filter(student=bo).exists()
    first = current_code(ann).code
    assert issuing.generate_codes(actor=command_line_user(), missing_only=True) == 1
    assert current_code(ann).code == first
    assert AccessCode.objects.filter(student=bo, revoked_at__isnull=True).count() == 1
    assert issuing.generate_codes(actor=command_line_user()) == 2
    assert current_code(ann).code != first


def test_reset_invalidates_the_old_code_at_once(student: Any) -> None:
    old = current_code(student).code
    issuing.reset_codes(actor=command_line_user(), student=student)
    new = current_code(student).code
    assert new != old
    with pytest.raises(redemption.CodeNotAccepted, match="no longer valid"):
        redemption.redeem_code(
            entry=format_code(old), purpose=AttemptPurpose.REGISTER, remote_address=ADDRESS
        )
    assert (
        redemption.redeem_code(
            entry=format_code(new), purpose=AttemptPurpose.REGISTER, remote_address=ADDRESS
        ).student
        == student
    )


def test_a_reset_stops_a_registration_still_waiting_for_its_email_link(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tokens: list[str] = []
    registration.request_registration(
        entry=current_code(student).code,
        first_name="Pat",
        last_name="Lee",
        email="pat@example.org",
        remote_address=ADDRESS,
        link_for=lambda t: tokens.append(t) or t,  # type: ignore[func-returns-value]
    )
    issuing.reset_codes(actor=command_line_user(), school=student.school)
    with pytest.raises(redemption.CodeNotAccepted):
        registration.register_with_code(token=tokens[0], password=PASSWORD)
    assert not Account.objects.filter(email="pat@example.org").exists()


def test_an_expired_code_is_refused(student: Any, settings: Any) -> None:
    settings.ACCESS_CODE_VALID_DAYS = 30
    issuing.reset_codes(actor=command_line_user(), student=student)
    code = current_code(student)
    assert code.expires_at is not None
    assert (
        abs(code.expires_at - (timezone.now() + datetime.timedelta(days=30))).total_seconds() < 60
    )
    AccessCode.objects.filter(pk=code.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(redemption.CodeNotAccepted, match="no longer valid"):
        redemption.redeem_code(
            entry=code.code, purpose=AttemptPurpose.REGISTER, remote_address=None
        )
    # an expired code counts as missing: the next generate --missing-only replaces it
    assert issuing.generate_codes(actor=command_line_user(), missing_only=True) == 1


def test_a_single_use_code_links_one_guardian_then_stops_working(
    student: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCESS_CODE_SINGLE_USE = True
    code = current_code(student)
    register(code.code, "first@example.org", django_capture_on_commit_callbacks)
    code.refresh_from_db()
    assert code.used_at is not None and code.revoked_at is not None
    assert code.used_by == Account.objects.get(email="first@example.org")
    with pytest.raises(redemption.CodeNotAccepted):
        register(code.code, "second@example.org", django_capture_on_commit_callbacks)
    assert issuing.generate_codes(actor=command_line_user(), missing_only=True) == 1


def test_codes_switched_off_are_refused(student: Any, settings: Any) -> None:
    settings.ACCESS_CODES_ENABLED = False
    with pytest.raises(redemption.CodesDisabled):
        redemption.redeem_code(
            entry=current_code(student).code, purpose=AttemptPurpose.REGISTER, remote_address=None
        )


# --- registration ----------------------------------------------------------------------------


def test_registration_creates_one_contact_one_account_and_the_link_with_data_access(
    student: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    code = format_code(current_code(student).code).lower()
    done = register(code, "Pat.Lee@Example.org", django_capture_on_commit_callbacks)
    assert Contact.objects.count() == 1 and Account.objects.count() == 1
    account = Account.objects.get()
    assert account == done.account and account.email == "Pat.Lee@example.org"
    assert account.check_password(PASSWORD)
    contact = account.contact
    assert contact is not None
    assert (contact.first_name, contact.last_name, contact.is_active) == ("Pat", "Lee", True)
    assert [e.address for e in contact.emails.all()] == ["Pat.Lee@example.org"]
    link = StudentContact.objects.get(student=student, contact=contact)
    detail = link.active_detail()
    assert detail is not None and detail.allow_data_access
    assert detail.relationship_type is not None and detail.relationship_type.code == "Guardian"
    assert RegistrationRequest.objects.get().completed_at is not None
    assert mailoutbox[0].to == ["Pat.Lee@example.org"]
    assert current_code(student).code not in mailoutbox[0].body


def test_the_districts_default_relationship_is_given_to_a_registered_parent(
    student: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCESS_CODE_RELATIONSHIP = "mother"  # a RelationshipType code, any case
    done = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    )
    detail = StudentContact.objects.get(contact=done.account.contact).active_detail()
    assert detail is not None and detail.relationship_type is not None
    assert detail.relationship_type.code == "Mother" and detail.allow_data_access


def test_an_unknown_default_relationship_links_without_one(
    student: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCESS_CODE_RELATIONSHIP = "Wizard"
    done = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    )
    detail = StudentContact.objects.get(contact=done.account.contact).active_detail()
    assert detail is not None and detail.relationship_type is None and detail.allow_data_access


def test_registration_matches_an_existing_contact_of_the_student_with_that_email(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    known = ContactFactory.create(first_name="Patricia", last_name="Lee")
    add_email(actor=command_line_user(), contact=known, address="pat@example.org", is_primary=True)
    link_student(actor=command_line_user(), contact=known, student=student, allow_data_access=False)
    register(current_code(student).code, "PAT@example.org", django_capture_on_commit_callbacks)
    assert Contact.objects.count() == 1
    account = Account.objects.get()
    assert account.contact == known
    assert ContactEmail.objects.count() == 1
    detail = StudentContact.objects.get(student=student, contact=known).active_detail()
    assert detail is not None and detail.allow_data_access


def test_a_second_guardian_registers_with_the_same_code(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = current_code(student).code
    register(code, "one@example.org", django_capture_on_commit_callbacks)
    register(code, "two@example.org", django_capture_on_commit_callbacks, first="Sam")
    assert Account.objects.count() == 2 and Contact.objects.count() == 2
    assert StudentContact.objects.filter(student=student).count() == 2


def test_a_verification_link_works_once(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tokens: list[str] = []
    registration.request_registration(
        entry=current_code(student).code,
        first_name="Pat",
        last_name="Lee",
        email="pat@example.org",
        remote_address=ADDRESS,
        link_for=lambda t: tokens.append(t) or t,  # type: ignore[func-returns-value]
    )
    assert RegistrationRequest.objects.get().token_hash != tokens[0]  # only the hash is kept
    registration.register_with_code(token=tokens[0], password=PASSWORD)
    with pytest.raises(ServiceError, match="expired or has already been used"):
        registration.register_with_code(token=tokens[0], password=PASSWORD)


def test_a_weak_password_is_refused_and_nothing_is_created(student: Any) -> None:
    tokens: list[str] = []
    registration.request_registration(
        entry=current_code(student).code,
        first_name="Pat",
        last_name="Lee",
        email="pat@example.org",
        remote_address=ADDRESS,
        link_for=lambda t: tokens.append(t) or t,  # type: ignore[func-returns-value]
    )
    with pytest.raises(ServiceError):
        registration.register_with_code(token=tokens[0], password="password")
    assert not Account.objects.exists() and not Contact.objects.exists()


def test_an_email_that_already_has_an_account_is_told_to_sign_in(
    student: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    AccountFactory.create(username="pat", email="pat@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        made = registration.request_registration(
            entry=current_code(student).code,
            first_name="Pat",
            last_name="Lee",
            email="pat@example.org",
            remote_address=ADDRESS,
            link_for=lambda t: t,
        )
    assert made is None and not RegistrationRequest.objects.exists()
    assert "Add child" in mailoutbox[0].body


# --- Add Child -------------------------------------------------------------------------------


def test_add_child_links_another_student_to_the_same_account(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    ).account
    sibling = StudentFactory.create(first_name="Leo")
    issuing.reset_codes(actor=command_line_user(), student=sibling)
    code = format_code(current_code(sibling).code)
    outcome = linking.add_child(actor=account, entry=code, remote_address=ADDRESS)
    assert outcome.link is not None and not outcome.is_pending
    assert set(
        StudentContact.objects.filter(contact=account.contact).values_list("student", flat=True)
    ) == {student.pk, sibling.pk}
    assert Contact.objects.count() == 1
    with pytest.raises(ServiceError, match="already on your account"):
        linking.add_child(actor=account, entry=code, remote_address=ADDRESS)


def test_add_child_needs_a_parent_account(student: Any) -> None:
    staff = AccountFactory.create(is_staff=True)
    with pytest.raises(ServiceError):
        linking.add_child(actor=staff, entry=current_code(student).code, remote_address=ADDRESS)


# --- protection against guessing --------------------------------------------------------------


def attempt(entry: str, *, address: str | None = ADDRESS, account: Any = None) -> Any:
    return redemption.redeem_code(
        entry=entry, purpose=AttemptPurpose.REGISTER, remote_address=address, account=account
    )


def test_the_eleventh_failure_in_an_hour_is_refused_even_with_the_right_code_then_recovers(
    student: Any,
) -> None:
    right = current_code(student).code
    for _ in range(10):
        with pytest.raises(redemption.CodeNotAccepted):
            attempt("AAAA-AAAA-AAAA")
    with pytest.raises(redemption.CodeRefused, match="Too many"):
        attempt(right)
    assert CodeAttempt.objects.filter(outcome=AttemptOutcome.REFUSED).count() == 1
    # another address is not affected
    assert attempt(right, address="198.51.100.1").student == student
    # an hour later the window has passed
    CodeAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert attempt(right).student == student


def test_ten_wrong_guesses_at_different_codes_are_the_hourly_limit_not_a_block(
    student: Any,
) -> None:
    # The defaults: a guesser tries a new code each time, and still only the hourly limit applies.
    right = current_code(student).code
    for n in range(10):
        with pytest.raises(redemption.CodeNotAccepted, match="not recognised"):
            attempt(f"AAAA-AAAA-AA{n:02d}")
    with pytest.raises(redemption.CodeRefused, match="Too many"):
        attempt(right)
    assert not AddressBlock.objects.exists()
    CodeAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert attempt(right).student == student


def test_an_address_that_keeps_trying_new_codes_after_the_limit_is_blocked_for_a_day(
    student: Any,
) -> None:
    for n in range(10):
        with pytest.raises(redemption.CodeNotAccepted):
            attempt(f"AAAA-AAAA-AA{n:02d}")
    for n in range(10, 19):
        with pytest.raises(redemption.CodeRefused, match="Too many"):
            attempt(f"AAAA-AAAA-AA{n:02d}")
    assert not AddressBlock.objects.exists()
    with pytest.raises(redemption.CodeRefused, match="Too many"):
        attempt("AAAA-AAAA-AA19")  # the 20th different code
    assert AddressBlock.objects.filter(remote_address=ADDRESS).exists()
    CodeAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    with pytest.raises(redemption.CodeRefused, match="paused"):
        attempt(current_code(student).code)
    assert all(
        "AAAA" not in digest
        for digest in CodeAttempt.objects.values_list("entry_digest", flat=True)
    )


def test_failures_are_limited_per_account_across_addresses(student: Any) -> None:
    parent = AccountFactory.create(contact=ContactFactory.create())
    for n in range(10):
        with pytest.raises(redemption.CodeNotAccepted):
            linking.add_child(actor=parent, entry="AAAA-AAAA-AAAA", remote_address=f"192.0.2.{n}")
    with pytest.raises(redemption.CodeRefused):
        linking.add_child(
            actor=parent, entry=current_code(student).code, remote_address="192.0.2.200"
        )


def test_a_burst_of_guesses_at_many_codes_blocks_the_address(student: Any, settings: Any) -> None:
    settings.ACCESS_CODE_BURST_CODES = 5
    for n in range(5):
        with pytest.raises(redemption.CodeNotAccepted):
            attempt(f"AAAA-AAAA-AAA{n}")
    assert AddressBlock.objects.filter(remote_address=ADDRESS).exists()
    with pytest.raises(redemption.CodeRefused, match="paused"):
        attempt(current_code(student).code)
    # the block outlasts the failure window
    CodeAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    with pytest.raises(redemption.CodeRefused):
        attempt(current_code(student).code)


def test_repeating_one_mistyped_code_is_not_a_burst(settings: Any) -> None:
    settings.ACCESS_CODE_BURST_CODES = 5
    for _ in range(8):
        with pytest.raises(redemption.CodeNotAccepted):
            attempt("AAAA-AAAA-AAAA")
    assert not AddressBlock.objects.exists()


def test_what_was_typed_is_never_stored_or_logged(student: Any, caplog: Any, settings: Any) -> None:
    settings.ACCESS_CODE_MAX_FAILURES = 1
    right = current_code(student).code
    with pytest.raises(redemption.CodeNotAccepted):
        attempt("ZZZZ-ZZZZ-ZZZZ")
    with pytest.raises(redemption.CodeRefused):
        attempt(right)
    stored = list(CodeAttempt.objects.values_list("entry_digest", flat=True))
    assert all("ZZZZ" not in d and right not in d for d in stored)
    assert "ZZZZ" not in caplog.text and right not in caplog.text
    from auditlog.models import LogEntry

    assert right not in str(list(LogEntry.objects.values_list("changes", "object_repr")))


def test_codes_stay_out_of_the_sql_debug_log(student: Any, caplog: Any) -> None:
    import logging

    from django.db import connection

    from tutela.core.log_filters import TABLES

    assert AccessCode._meta.db_table in TABLES
    StudentFactory.create_batch(3)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # what DEBUG=True does
    try:
        issuing.generate_codes(actor=command_line_user())
        attempt(current_code(student).code)
        issuing.reset_codes(actor=command_line_user(), student=student)
    finally:
        connection.force_debug_cursor = False
    assert "a query on access codes (not shown" in caplog.text
    for code in AccessCode.objects.values_list("code", flat=True):
        assert code not in caplog.text


# --- restricted students and notifications ------------------------------------------------------


def test_a_right_code_for_a_restricted_student_waits_for_a_school_admin(
    student: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    guardian = ContactFactory.create()
    link_student(
        actor=command_line_user(), contact=guardian, student=student, allow_data_access=True
    )
    StudentContact.objects.filter(contact=guardian).update(restricted=True)
    done = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    )
    assert done.outcome.is_pending
    assert not StudentContact.objects.filter(contact=done.account.contact).exists()
    pending = PendingLink.objects.get()
    assert (pending.student, pending.account, pending.status) == (
        student,
        done.account,
        PendingStatus.PENDING,
    )
    admin = AccountFactory.create(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        restricted_queue.approve_link(actor=admin, pending=pending)
    pending.refresh_from_db()
    assert pending.status == PendingStatus.APPROVED and pending.decided_by == admin
    detail = StudentContact.objects.get(contact=done.account.contact).active_detail()
    assert detail is not None and detail.allow_data_access
    assert "approved" in mailoutbox[-1].body
    with pytest.raises(ServiceError, match="already been decided"):
        restricted_queue.deny_link(actor=admin, pending=pending)


def test_a_denied_restricted_link_never_links(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    parent = AccountFactory.create(contact=ContactFactory.create())
    other = ContactFactory.create()
    link_student(actor=command_line_user(), contact=other, student=student)
    StudentContact.objects.filter(contact=other).update(restricted=True)
    outcome = linking.add_child(
        actor=parent, entry=current_code(student).code, remote_address=ADDRESS
    )
    assert outcome.pending is not None
    with django_capture_on_commit_callbacks(execute=True):
        restricted_queue.deny_link(
            actor=AccountFactory.create(is_staff=True), pending=outcome.pending, note="court order"
        )
    assert not StudentContact.objects.filter(contact=parent.contact).exists()
    assert PendingLink.objects.get().status == PendingStatus.DENIED


def test_the_other_guardians_with_accounts_are_told_without_the_other_familys_details(
    student: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mum = ContactFactory.create(first_name="Ana", last_name="Lee")
    AccountFactory.create(username="ana", email="ana@example.org", contact=mum)
    link_student(actor=command_line_user(), contact=mum, student=student, allow_data_access=True)
    no_access = ContactFactory.create()
    AccountFactory.create(username="nope", email="nope@example.org", contact=no_access)
    link_student(
        actor=command_line_user(), contact=no_access, student=student, allow_data_access=False
    )
    unrelated = ContactFactory.create()
    AccountFactory.create(username="far", email="far@example.org", contact=unrelated)
    register(
        current_code(student).code,
        "newcomer@example.org",
        django_capture_on_commit_callbacks,
        first="Quentin",
        last="Zimmer",
    )
    smtp_server.wait_for(2)
    to = {message["To"]: message for message in smtp_server.messages}
    assert set(to) == {"ana@example.org", "newcomer@example.org"}  # nobody else is told
    told = to["ana@example.org"]
    body = smtp_server.text_of(told) + smtp_server.html_of(told)
    assert "Mia" in body and "linked" in body
    for secret in ("Quentin", "Zimmer", "newcomer@", current_code(student).code):
        assert secret not in body and secret not in told["Subject"]


def test_a_new_code_that_clashes_with_an_old_one_is_drawn_again(
    student: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = current_code(student).code
    other = StudentFactory.create()
    monkeypatch.setattr(issuing, "_distinct_codes", lambda count: [taken] * count)
    assert issuing.generate_codes(actor=command_line_user(), missing_only=True) == 1
    fresh = current_code(other).code
    assert fresh != taken and len(fresh) == 12


def test_a_guardian_whose_own_link_is_restricted_is_not_told(
    student: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    protected = ContactFactory.create()
    AccountFactory.create(username="protected@example.org", contact=protected)
    link_student(
        actor=command_line_user(), contact=protected, student=student, allow_data_access=True
    )
    StudentContact.objects.filter(contact=protected).update(restricted=True)
    parent = AccountFactory.create(username="new@example.org", contact=ContactFactory.create())
    outcome = linking.add_child(actor=parent, entry=current_code(student).code, remote_address=None)
    assert outcome.pending is not None
    with django_capture_on_commit_callbacks(execute=True):
        restricted_queue.approve_link(
            actor=AccountFactory.create(is_staff=True), pending=outcome.pending
        )
    assert [m.to for m in mailoutbox] == [["new@example.org"]]  # only the decision


def test_a_mail_server_failure_does_not_undo_the_link(
    student: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    mum = ContactFactory.create()
    AccountFactory.create(username="mum@example.org", contact=mum)
    link_student(actor=command_line_user(), contact=mum, student=student, allow_data_access=True)

    def down(*args: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(email, "get_connection", down)
    parent = AccountFactory.create(username="dad@example.org", contact=ContactFactory.create())
    assert linking.notify_other_guardians(student=student, new_account=parent) == 0
    assert "could not send the new_guardian email" in caplog.text
    assert "mum@example.org" not in caplog.text


def test_add_child_renews_a_link_whose_grant_has_ended(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The portal hides a link whose detail has ended; the student's code links it again (from
    today) rather than answering "already on your account" for a child the parent cannot see."""
    from tutela.accounts.selectors import students_visible_to
    from tutela.people.models import StudentContactDetail

    account = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    ).account
    StudentContactDetail.objects.filter(link__contact=account.contact).update(
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date.today() - datetime.timedelta(days=1),
    )
    assert list(students_visible_to(account=account)) == []
    outcome = linking.add_child(
        actor=account, entry=format_code(current_code(student).code), remote_address=ADDRESS
    )
    assert outcome.link is not None and not outcome.is_pending
    assert list(students_visible_to(account=account)) == [student]
    assert StudentContact.objects.filter(contact=account.contact).count() == 1


def test_add_child_grants_until_a_grant_that_has_not_begun(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A grant starting next month shows nothing today: the code grants from today until the
    day before it, so the two records do not overlap."""
    from tutela.accounts.selectors import students_visible_to
    from tutela.people.models import StudentContactDetail

    account = register(
        current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks
    ).account
    later = datetime.date.today() + datetime.timedelta(days=30)
    StudentContactDetail.objects.filter(link__contact=account.contact).update(start_date=later)
    assert list(students_visible_to(account=account)) == []
    linking.add_child(
        actor=account, entry=format_code(current_code(student).code), remote_address=ADDRESS
    )
    assert list(students_visible_to(account=account)) == [student]
    new = StudentContactDetail.objects.filter(link__contact=account.contact).get(
        start_date=datetime.date.today()
    )
    assert new.end_date == later - datetime.timedelta(days=1) and new.allow_data_access


def test_a_guardian_whose_grant_has_ended_is_not_told(
    student: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The email names a child the portal no longer shows them: not theirs to learn about."""
    from tutela.people.models import StudentContactDetail

    former = ContactFactory.create()
    AccountFactory.create(username="former@example.org", contact=former)
    link_student(actor=command_line_user(), contact=former, student=student, allow_data_access=True)
    StudentContactDetail.objects.filter(link__contact=former).update(
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date.today() - datetime.timedelta(days=1),
    )
    parent = AccountFactory.create(username="new@example.org", contact=ContactFactory.create())
    with django_capture_on_commit_callbacks(execute=True):
        outcome = linking.add_child(
            actor=parent, entry=current_code(student).code, remote_address=None
        )
    assert outcome.link is not None
    assert [m.to for m in mailoutbox] == []


def test_registration_reuses_the_districts_contact_with_that_email_at_a_siblings_school(
    student: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sibling = StudentFactory.create(first_name="Max", last_name="Lee")
    known = ContactFactory.create(first_name="Patricia", last_name="Lée")
    add_email(actor=command_line_user(), contact=known, address="pat@example.org", is_primary=True)
    link_student(actor=command_line_user(), contact=known, student=sibling, allow_data_access=True)
    register(current_code(student).code, "PAT@example.org", django_capture_on_commit_callbacks)
    assert Contact.objects.count() == 1
    assert Account.objects.get().contact == known
    assert set(StudentContact.objects.filter(contact=known).values_list("student", flat=True)) == {
        student.pk,
        sibling.pk,
    }


@pytest.mark.parametrize("clash", ["another last name", "two contacts with the email"])
def test_registration_does_not_guess_between_people_it_cannot_tell_apart(
    student: Any, django_capture_on_commit_callbacks: Any, clash: str
) -> None:
    others = [ContactFactory.create(last_name="Lee" if "two" in clash else "Ross")]
    if "two" in clash:
        others.append(ContactFactory.create(last_name="Lee"))
    for other in others:
        add_email(actor=command_line_user(), contact=other, address="pat@example.org")
    register(current_code(student).code, "pat@example.org", django_capture_on_commit_callbacks)
    account = Account.objects.get()
    assert account.contact is not None and account.contact not in others
    assert Contact.objects.count() == len(others) + 1
