"""The contact's own fields, its access account, the rules tying them together, and
deleting the contact."""

from __future__ import annotations

from typing import Any

from tutela.imports.contacts.columns import COLUMN
from tutela.imports.contacts.planning.context import Context, merge_section
from tutela.imports.contacts.planning.stage import Errors, Outcome, Stage
from tutela.imports.contacts.state import AccountRec, ContactKey, ContactRec
from tutela.imports.contacts.validation import CLEAR, DELETE, ParsedRow


def delete_contact(
    ctx: Context, original: ContactRec | None, rows: list[ParsedRow], deleting: list[ParsedRow]
) -> tuple[Errors, Outcome | None]:
    """Rule 16: ``#delete`` in LastName on every row of the contact deletes it."""
    if len(deleting) != len(rows):
        missing = ", ".join(str(r.number) for r in rows if r not in deleting)
        message = (
            "LastName '#delete' must be on every row of the contact to delete it; "
            f"row {missing} does not have it"
        )
        return {row.number: [message] for row in deleting}, None
    if original is None:
        message = "LastName '#delete' needs the ID of an existing contact"
        return {row.number: [message] for row in deleting}, None
    world = ctx.world
    key = original.key
    for sid in original.links:
        view = world.view(sid)
        view.slots.pop(key, None)
        for priority in [p for p, claim in view.claimed.items() if claim[0] == key]:
            del view.claimed[priority]
    if original.account is not None:
        _release_account(ctx, key, original.account)
    world.deleted["contact"].append(original.key)  # type: ignore[arg-type]
    world.deleted["address"].extend(a.address_id for a in original.addresses if a.address_id)
    del world.contacts[key]
    return {}, "deleted"


def _release_account(ctx: Context, key: ContactKey, account: AccountRec) -> None:
    """A deleted contact's account goes with it, and its sign-in names are free again."""
    ctx.world.release_names(key, account)
    if account.id is not None:
        ctx.world.deleted["account"].append(account.id)


def plan_contact_fields(ctx: Context, stage: Stage, rows: list[ParsedRow]) -> None:
    """The contact's own fields: related rows must agree on each, ``#clear`` empties one, and a
    new contact needs a last name (rule 5)."""
    contact = stage.contact
    for name, (value, _) in merge_section(ctx, stage, rows, "contact").items():
        column = COLUMN[name]
        setattr(contact, column.attname, column.cleared if value is CLEAR else value)
    if not stage.existed and not contact.last_name:
        stage.error(rows[0], COLUMN["last_name"].required_message())


def plan_account(ctx: Context, stage: Stage, rows: list[ParsedRow]) -> None:
    """Rule 15: create, update or (``#delete``) delete the contact's access account."""
    merged = merge_section(ctx, stage, rows, "account")
    none: tuple[Any, ParsedRow | None] = (None, None)
    username, username_row = merged.get("account_username", none)
    email, email_row = merged.get("account_email", none)
    enabled, _ = merged.get("account_enabled", none)
    guardian_number, _ = merged.get("state_guardian_number", none)
    contact = stage.contact
    account = contact.account
    if username is DELETE:
        if account is None:
            assert username_row is not None
            stage.error(
                username_row,
                "Access Account User Name '#delete': the contact has no access account",
            )
        else:
            stage.delete("account", account.id)
            contact.account = None
        return
    if account is None:
        if username is None:
            # The enabled flag alone creates nothing and is harmless: PowerSchool files
            # carry it on every row, for contacts with and without an account.
            given = next((r for r in rows if r.account.keys() - {"account_enabled"}), None)
            if given is not None:
                stage.error(given, COLUMN["account_username"].required_message())
            return
        if email is None:
            assert username_row is not None
            stage.error(username_row, COLUMN["account_email"].required_message())
            return
        account = contact.account = AccountRec(
            None, username, email, True if enabled is None else enabled, ""
        )
        stage.account_created = True
    else:
        if username is not None:
            account.username = username
        if email is not None:
            account.email = email
        if enabled is not None:
            account.is_active = enabled
    if guardian_number is not None:
        account.state_guardian_number = "" if guardian_number is CLEAR else guardian_number
    if username_row is not None and _sign_in_taken(ctx, account.username, contact.key):
        stage.error(username_row, f"Access Account User Name {username!r}: Username not available")
    if account.email and email_row is not None and _sign_in_taken(ctx, account.email, contact.key):
        stage.error(
            email_row,
            f"Access Account Email Address {email!r}: The account email address is already "
            "in use by another access account",
        )


def _sign_in_taken(ctx: Context, name: str, key: ContactKey) -> bool:
    """Whether another account signs in with ``name``: parents sign in with a username or
    an account email, so each spelling may name one account only (as ``create_account``
    keeps it), and a username may not be another account's email or the other way round."""
    name = name.lower()
    for owner in (ctx.world.usernames.get(name), ctx.world.account_emails.get(name)):
        if owner is not None and owner != key:
            return True
    return False


def check_access_rules(stage: Stage, rows: list[ParsedRow]) -> None:
    """Rules 14 and 15: data access needs an account; a new account needs a student."""
    contact = stage.contact
    if contact.account is None:
        for row in rows:
            if row.student is not None and row.student.detail.get("allow_data_access"):
                stage.error(
                    row,
                    "AllowDataAccess 'true': the contact has no access account "
                    "(add Access Account User Name to create one)",
                )
    if stage.account_created and not contact.links:
        row = next(r for r in rows if isinstance(r.account.get("account_username"), str))
        stage.error(
            row,
            f"Access Account User Name {row.account['account_username']!r}: a new access "
            "account needs the contact linked to at least one student",
        )
