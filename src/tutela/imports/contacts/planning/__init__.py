"""Deciding each group, in file order, against the state in memory: accept it or reject it.

A group changes a copy of its contact (and copies of the student views it touches); only when
the whole group has no error do the copies replace the originals, so a rejected group leaves
nothing behind (rule 3) and later groups see exactly what earlier accepted groups did
(rule 2: the earlier group wins a collision). Nothing here touches the database.

Each section (the contact's fields and account, emails, phones, addresses, students) is a plain
function of the import's ``Context`` (the state in memory, read by every group) and the group's
``Stage`` (its changes and undo log, thrown away if the group is rejected): what a section
reads and changes is in its signature.
"""

from __future__ import annotations

import datetime
from typing import Any

from tutela.imports.contacts.planning.addresses import plan_addresses
from tutela.imports.contacts.planning.contact import (
    check_access_rules,
    delete_contact,
    plan_account,
    plan_contact_fields,
)
from tutela.imports.contacts.planning.context import Context, Spelling
from tutela.imports.contacts.planning.emails import plan_emails
from tutela.imports.contacts.planning.phones import plan_phones
from tutela.imports.contacts.planning.stage import Errors, Outcome, Stage
from tutela.imports.contacts.planning.students import plan_students
from tutela.imports.contacts.state import ContactRec, World
from tutela.imports.contacts.validation import DELETE, ParsedRow


class Planner:
    """Plans groups one after another, committing each accepted group into ``world``."""

    def __init__(
        self,
        world: World,
        code_text: dict[int, str],
        today: datetime.date,
        spelling: Spelling,
    ) -> None:
        self.ctx = Context(world, code_text, today, spelling)
        self.world = world

    # -- the group ---------------------------------------------------------------------------

    def plan(self, key: tuple[str, str], rows: list[ParsedRow]) -> tuple[Errors, Outcome | None]:
        kind, value = key
        if kind == "row":  # rule 1: a row with neither is rejected on its own
            return {rows[0].number: ["ID or Identifier is required", *rows[0].errors]}, None
        own = {row.number: list(row.errors) for row in rows if row.errors}
        if own:
            return own, None
        original: ContactRec | None = None
        if kind == "id":
            original = self.world.contacts.get(int(value))
            if original is None:
                return {row.number: [f"ID {value!r} is not a contact"] for row in rows}, None
        deleting = [row for row in rows if row.contact.get("last_name") is DELETE]
        if deleting:
            return delete_contact(self.ctx, original, rows, deleting)
        contact = original.clone() if original is not None else ContactRec(None, f"new:{value}")
        stage = Stage(contact=contact, existed=original is not None)
        ctx = self.ctx
        plan_contact_fields(ctx, stage, rows)
        plan_account(ctx, stage, rows)
        plan_emails(stage, rows)
        plan_phones(ctx, stage, rows)
        plan_addresses(ctx, stage, rows)
        plan_students(ctx, stage, rows)
        check_access_rules(stage, rows)
        if stage.errors:
            stage.roll_back()
            return stage.errors, None
        return {}, self._commit(stage, original)

    # -- accepting the group -----------------------------------------------------------------

    def _commit(self, stage: Stage, original: ContactRec | None) -> Outcome:
        world = self.world
        contact = stage.contact
        outcome: Outcome = "added"
        if original is not None:
            outcome = "updated" if self._changed(stage, original) else "unchanged"
            if original.account is not None:
                world.release_names(contact.key, original.account)
        if contact.account is not None:
            world.usernames[contact.account.username.lower()] = contact.key
            if contact.account.email:
                world.account_emails[contact.account.email.lower()] = contact.key
        world.contacts[contact.key] = contact
        world.phones.update(stage.new_phones)
        for key, sms in stage.sms.items():
            world.phones[key].is_sms = sms
        for kind, ids in stage.deleted.items():
            world.deleted[kind].extend(ids)
        return outcome

    def _changed(self, stage: Stage, original: ContactRec) -> bool:
        contact = stage.contact
        if stage.deleted or stage.new_phones or contact.values() != original.values():
            return True
        for key, sms in stage.sms.items():
            if self.world.phones[key].is_sms != sms:
                return True
        lists: tuple[tuple[list[Any], list[Any]], ...] = (
            (contact.emails, original.emails),
            (contact.phones, original.phones),
            (contact.addresses, original.addresses),
        )
        for mine, theirs in lists:
            if len(mine) != len(theirs) or any(
                a.id != b.id or a.values() != b.values() for a, b in zip(mine, theirs, strict=True)
            ):
                return True
        if (contact.account is None) != (original.account is None):
            return True
        if (
            contact.account is not None
            and original.account is not None
            and contact.account.values() != original.account.values()
        ):
            return True
        if contact.links.keys() != original.links.keys():
            return True
        for sid, link in contact.links.items():
            theirs_details = original.links[sid].details
            if len(link.details) != len(theirs_details) or any(
                a.id != b.id or a.values() != b.values()
                for a, b in zip(link.details, theirs_details, strict=True)
            ):
                return True
        return stage.slots_changed
