"""Creating accounts: one per contact, the seed's errors, and the first-sign-in methods."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from pytest_django import Settings

from tests.cast import Cast
from tutela.accounts.models import Account, SecurityEvent, SecurityEventKind
from tutela.accounts.services import (
    EMAIL_IN_USE,
    USERNAME_NOT_AVAILABLE,
    AccountError,
    EmailInUse,
    UsernameNotAvailable,
    create_account,
    disable_account,
    enable_account,
    set_temporary_password,
)
from tutela.core.audit import command_line_user
from tutela.people.services import add_email, create_contact

pytestmark = pytest.mark.django_db


def test_the_seeds_messages_are_used_word_for_word() -> None:
    assert USERNAME_NOT_AVAILABLE == "Username not available"
    assert EMAIL_IN_USE == "The account email address is already in use by another access account"


def test_it_creates_an_enabled_account_on_the_primary_email_by_default(cast: Cast) -> None:
    add_email(actor=command_line_user(), contact=cast.una_contact, address="una.work@example.org")
    account = create_account(actor=cast.dana, contact=cast.una_contact)
    assert account.username == "una@example.org"
    assert account.email == "una@example.org"
    assert account.is_active and account.contact == cast.una_contact
    assert not account.has_usable_password()
    assert SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT_CREATED).actor == cast.dana


def test_it_uses_another_of_the_contacts_emails_when_asked(cast: Cast) -> None:
    add_email(actor=command_line_user(), contact=cast.una_contact, address="una.work@example.org")
    account = create_account(
        actor=command_line_user(),
        contact=cast.una_contact,
        email="UNA.WORK@example.org",
        username="una",
    )
    assert (account.username, account.email) == ("una", "una.work@example.org")


def test_it_refuses_an_email_that_is_not_the_contacts(cast: Cast) -> None:
    with pytest.raises(AccountError, match="not one of"):
        create_account(
            actor=command_line_user(), contact=cast.una_contact, email="someone@example.org"
        )


def test_it_refuses_a_second_account_for_a_contact(cast: Cast) -> None:
    with pytest.raises(AccountError, match="already has an account"):
        create_account(actor=command_line_user(), contact=cast.hana_contact)


def test_it_needs_a_linked_student(cast: Cast) -> None:
    lonely = create_contact(actor=command_line_user(), last_name="Lonely")
    add_email(
        actor=command_line_user(), contact=lonely, address="lonely@example.org", is_primary=True
    )
    with pytest.raises(AccountError, match="not linked to any student"):
        create_account(actor=command_line_user(), contact=lonely)


def test_it_needs_an_email(cast: Cast) -> None:
    bare = create_contact(actor=command_line_user(), last_name="Bare")
    from tutela.people.services import link_student

    link_student(actor=command_line_user(), contact=bare, student=cast.lila)
    with pytest.raises(AccountError, match="no email"):
        create_account(actor=command_line_user(), contact=bare)


def test_an_email_used_by_another_account_is_already_in_use_ignoring_case(cast: Cast) -> None:
    add_email(actor=command_line_user(), contact=cast.una_contact, address="HANA@example.org")
    with pytest.raises(EmailInUse) as caught:
        create_account(
            actor=command_line_user(), contact=cast.una_contact, email="hana@example.org"
        )
    assert str(caught.value) == EMAIL_IN_USE
    assert caught.value.existing == cast.hana


def test_a_taken_username_is_not_available_ignoring_case(cast: Cast) -> None:
    with pytest.raises(UsernameNotAvailable, match=r"^Username not available$"):
        create_account(actor=command_line_user(), contact=cast.una_contact, username="Hana.Hill")


def test_a_temporary_password_must_follow_the_password_rules(cast: Cast) -> None:
    with pytest.raises(AccountError, match="too short"):
        create_account(
            actor=command_line_user(), contact=cast.una_contact, temporary_password="abc"
        )
    with pytest.raises(AccountError, match="too common"):
        create_account(
            actor=command_line_user(), contact=cast.una_contact, temporary_password="password123"
        )
    assert not Account.objects.filter(contact=cast.una_contact).exists()


def test_long_passphrases_without_composition_rules_are_fine(cast: Cast) -> None:
    account = create_account(
        actor=command_line_user(),
        contact=cast.una_contact,
        temporary_password="purple elephants dance quietly at midnight " * 3,
    )
    assert account.must_change_password


def test_the_minimum_length_is_configurable(cast: Cast, settings: Settings) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 15},
        }
    ]
    with pytest.raises(AccountError, match="at least 15"):
        create_account(
            actor=command_line_user(), contact=cast.una_contact, temporary_password="twelve chars"
        )


def test_a_staff_temporary_password_must_be_changed(cast: Cast) -> None:
    account = create_account(
        actor=cast.dana, contact=cast.una_contact, temporary_password="river stones sing"
    )
    assert account.must_change_password
    assert account.check_password("river stones sing")


def test_imported_passwords_are_temporary_as_the_district_says(
    cast: Cast, settings: Settings
) -> None:
    settings.TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY = False
    account = create_account(
        actor=command_line_user(),
        contact=cast.una_contact,
        temporary_password="river stones sing",
        imported=True,
    )
    assert account.is_imported and not account.must_change_password


def test_create_with_activation_sends_one_email_after_commit(cast: Cast) -> None:
    create_account(actor=command_line_user(), contact=cast.una_contact, send_activation=True)
    assert len(mail.outbox) == 0  # not before the transaction commits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_create_with_activation_emails_the_account_email(cast: Cast) -> None:
    create_account(actor=command_line_user(), contact=cast.una_contact, send_activation=True)
    assert [m.to for m in mail.outbox] == [["una@example.org"]]
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert "/accounts/activate/" in message.body
    assert message.alternatives and "/accounts/activate/" in str(message.alternatives[0][0])


def test_disable_and_enable_are_audited(cast: Cast) -> None:
    disable_account(actor=cast.dana, account=cast.hana)
    cast.hana.refresh_from_db()
    assert not cast.hana.is_active
    enable_account(actor=cast.dana, account=cast.hana)
    cast.hana.refresh_from_db()
    assert cast.hana.is_active
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {SecurityEventKind.ACCOUNT_DISABLED, SecurityEventKind.ACCOUNT_ENABLED} <= kinds


def test_setting_a_temporary_password_voids_outstanding_links(cast: Cast) -> None:
    from tutela.accounts.services import send_activation

    send_activation(actor=command_line_user(), account=cast.hana)
    set_temporary_password(actor=cast.dana, account=cast.hana, password="river stones sing")
    assert not cast.hana.tokens.filter(voided_at__isnull=True, used_at__isnull=True).exists()


def test_a_username_that_is_another_accounts_email_is_not_available(cast: Cast) -> None:
    # Hana signs in with hana@example.org; a username of that spelling would take it from her.
    with pytest.raises(UsernameNotAvailable):
        create_account(
            actor=command_line_user(), contact=cast.una_contact, username="HANA@example.org"
        )


def test_an_email_that_is_another_accounts_username_is_already_in_use(cast: Cast) -> None:
    from tests.factories import AccountFactory

    kim = AccountFactory.create(username="kim@example.org", email="kim.new@example.org")
    add_email(actor=command_line_user(), contact=cast.una_contact, address="KIM@example.org")
    with pytest.raises(EmailInUse) as caught:
        create_account(
            actor=command_line_user(),
            contact=cast.una_contact,
            email="kim@example.org",
            username="una",
        )
    assert caught.value.existing == kim


def test_a_username_longer_than_the_column_is_refused_with_a_message(cast: Cast) -> None:
    with pytest.raises(AccountError, match="at most 150 characters"):
        create_account(actor=command_line_user(), contact=cast.una_contact, username="u" * 151)
    assert not Account.objects.filter(contact=cast.una_contact).exists()


def test_only_a_scope_covering_every_child_may_act_on_a_parents_account(cast: Cast) -> None:
    """Leo is Sam's through Lila, and also Holly's at Hillcrest: a password Sam sets would open
    Holly's records. Every account service refuses, so every face of Tutela does."""
    from tutela.accounts.services import disable_account, enable_account, send_activation
    from tutela.people.services import OutsideScope, link_student

    link_student(actor=command_line_user(), contact=cast.leo_contact, student=cast.holly)
    link_student(actor=command_line_user(), contact=cast.una_contact, student=cast.holly)
    password = cast.leo.password
    for act in (
        lambda actor: set_temporary_password(
            actor=actor, account=cast.leo, password="river stones sing"
        ),
        lambda actor: disable_account(actor=actor, account=cast.leo),
        lambda actor: enable_account(actor=actor, account=cast.leo),
        lambda actor: send_activation(actor=actor, account=cast.leo),
        lambda actor: create_account(actor=actor, contact=cast.una_contact),
    ):
        with pytest.raises(OutsideScope, match="district admin"):
            act(cast.sam)
    cast.leo.refresh_from_db()
    assert cast.leo.password == password and cast.leo.is_active
    assert not Account.objects.filter(contact=cast.una_contact).exists()
    set_temporary_password(actor=cast.dana, account=cast.leo, password="river stones sing")
    disable_account(actor=cast.dana, account=cast.leo)


def test_school_staff_may_not_change_a_staff_account(cast: Cast) -> None:
    from tutela.accounts.services import disable_account
    from tutela.people.services import OutsideScope

    with pytest.raises(OutsideScope):
        disable_account(actor=cast.sam, account=cast.dana)
    disable_account(actor=command_line_user(), account=cast.sam)
