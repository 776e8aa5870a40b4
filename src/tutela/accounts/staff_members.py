"""The district's staff people: who they are, their role, and the schools their role covers.

A role is not a field of its own: it is read from the account's flags that ``Scope.of`` already
reads, so the staff screen, the ``tutela staff`` command and every access decision cannot
disagree.

- **district-admin**: ``is_staff`` and ``is_district_admin`` (or a superuser): the whole district.
- **school-admin**: ``is_staff`` with schools: those schools' students and their contacts.
- **teacher**: no staff flag; the sections the sections import names them teacher of (their
  schools, if given, say where they work and widen nothing).

Staff people are the accounts of no contact that are not a student's own account. Only a
district-wide actor (a district admin, or the command line) adds or changes them, since a role
decides who sees which children. The new person chooses a password through an emailed
activation link: nobody else ever knows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from django.db import transaction
from django.db.models import QuerySet

from tutela.accounts import services
from tutela.accounts.models import Account, SecurityEventKind
from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import audited
from tutela.core.values import USERNAME
from tutela.people.models import School
from tutela.people.services import OutsideScope, ServiceError, validate_email_address

DISTRICT_ADMIN: Final = "district-admin"
SCHOOL_ADMIN: Final = "school-admin"
TEACHER: Final = "teacher"
ROLES: Final = (DISTRICT_ADMIN, SCHOOL_ADMIN, TEACHER)
ROLE_NAMES: Final = {
    DISTRICT_ADMIN: "District admin",
    SCHOOL_ADMIN: "School admin",
    TEACHER: "Teacher",
}


class StaffError(ServiceError):
    """A change to a staff person that breaks a rule; the message says which."""


def role_of(account: Account) -> str:
    """The role the account's flags give it, as ``Scope.of`` reads them."""
    if account.is_superuser or (account.is_staff and account.is_district_admin):
        return DISTRICT_ADMIN
    return SCHOOL_ADMIN if account.is_staff else TEACHER


def staff_people() -> QuerySet[Account]:
    """Every staff person's account (enabled or not), with their schools, by username."""
    return (
        Account.objects.filter(contact__isnull=True, student_account__isnull=True)
        .prefetch_related("schools")
        .order_by("username")
    )


def find_staff_person(username: str) -> Account | None:
    """The staff person with this username (any case), or ``None``."""
    return staff_people().filter(username__iexact=username.strip()).first()


def schools_numbered(numbers: Iterable[str]) -> list[School]:
    """The schools with these school numbers, in the order given; an unknown one is an error."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers))
    found = {s.school_number: s for s in School.objects.filter(school_number__in=wanted)}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise StaffError(f"no school has the number {', '.join(unknown)}")
    return [found[n] for n in wanted]


def _require_district_admin(actor: Actor) -> None:
    if not Scope.of(actor).is_district_admin:
        raise OutsideScope("only a district admin may add or change staff")


def _check_role(role: str, schools: list[School]) -> None:
    if role not in ROLES:
        raise StaffError(f"{role!r} is not a role ({', '.join(ROLES)})")
    if role == DISTRICT_ADMIN and schools:
        raise StaffError("a district admin covers every school: schools are for other roles")
    if role == SCHOOL_ADMIN and not schools:
        raise StaffError("a school admin needs at least one school")


def _apply_role(account: Account, role: str) -> None:
    account.is_staff = role != TEACHER
    account.is_district_admin = role == DISTRICT_ADMIN


def add_staff_person(
    *,
    actor: Actor,
    username: str,
    email: str,
    role: str,
    schools: list[School],
    first_name: str = "",
    last_name: str = "",
) -> Account:
    """Add a staff person with a role and the schools it covers, and email an activation link.

    The username and the email each name one account for signing in, whichever way they are
    typed (``services.check_sign_in_names``, the rule of a parent's account).
    """
    _require_district_admin(actor)
    _check_role(role, schools)
    name = username.strip()
    longest = Account._meta.get_field("username").max_length or 150
    if not name or len(name) > longest or not USERNAME.fullmatch(name):
        raise StaffError(
            f"{username!r} is not a username: 1 to {longest} letters, digits and @ . + - _"
        )
    address = validate_email_address(email)
    services.check_sign_in_names(username=name, address=address)
    with audited(actor), transaction.atomic():
        account = Account(
            username=name, email=address, first_name=first_name.strip(), last_name=last_name.strip()
        )
        _apply_role(account, role)
        account.set_unusable_password()
        services.save_new_account(account)
        account.schools.set(schools)
        services.record_event(SecurityEventKind.ACCOUNT_CREATED, account=account, actor=actor)
        services.send_activation(actor=actor, account=account)
        return account


def _staff(account: Account) -> None:
    if account.contact_id is not None or hasattr(account, "student_account"):
        raise StaffError(f"{account.username} is not a staff account")


def set_staff_access(
    *, actor: Actor, account: Account, role: str | None = None, schools: list[School]
) -> None:
    """Give a staff person a role (``None``: keep theirs) and the schools it covers.

    A district admin never changes their own role: one slip would lock them out of this screen.
    """
    _require_district_admin(actor)
    _staff(account)
    wanted = role or role_of(account)
    _check_role(wanted, schools)
    if account.is_superuser:
        raise StaffError(f"{account.username} is a superuser: district-wide whatever its role")
    if isinstance(actor, Account) and actor.pk == account.pk and wanted != role_of(account):
        raise StaffError("you cannot change your own role")
    with audited(actor), transaction.atomic():
        _apply_role(account, wanted)
        account.save(update_fields=["is_staff", "is_district_admin"])
        account.schools.set(schools)


def set_staff_enabled(*, actor: Actor, account: Account, enabled: bool) -> None:
    """Disable a staff person (they cannot sign in, their sessions end) or enable them again."""
    _require_district_admin(actor)
    _staff(account)
    if not enabled and isinstance(actor, Account) and actor.pk == account.pk:
        raise StaffError("you cannot disable your own account")
    if enabled:
        services.enable_account(actor=actor, account=account)
    else:
        services.disable_account(actor=actor, account=account)
