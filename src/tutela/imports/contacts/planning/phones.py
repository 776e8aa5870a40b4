"""The contact's phone numbers; a number is shared by every contact who has it."""

from __future__ import annotations

from tutela.imports.contacts.planning.context import Context, same_flag
from tutela.imports.contacts.planning.priorities import assign_priorities
from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.state import ContactPhoneRec, PhoneRec
from tutela.imports.contacts.validation import CLEAR, DELETE, ParsedRow, PhonePart


def _shared_phone(ctx: Context, stage: Stage, key: tuple[str, str], number: str) -> PhoneRec:
    """The one record of a number (digits and extension), shared by every contact who has
    it; a new one waits on the stage until the group is accepted."""
    found = ctx.world.phones.get(key) or stage.new_phones.get(key)
    if found is None:
        found = stage.new_phones[key] = PhoneRec(None, number, key[0], key[1], False)
    return found


def plan_phones(ctx: Context, stage: Stage, rows: list[ParsedRow]) -> None:
    """The contact's phone numbers from the group's rows.

    A row names a phone by PhoneNumberAssocID, else by its digits and extension, however the
    number is punctuated. IsSMS belongs to the shared number, so two rows of the group may
    not disagree on it; priorities are given or filled in (rule 10).
    """
    contact = stage.contact
    _fold_twins(rows)
    slots: dict[tuple[str, ...], ParsedRow] = {}
    sms_given: dict[tuple[str, str], tuple[bool, ParsedRow]] = {}
    claimed: set[int] = set()
    resolved: list[tuple[ContactPhoneRec, PhonePart, ParsedRow]] = []
    new: set[int] = set()
    for row in rows:
        part = row.phone
        if part is None:
            continue
        # Rule 10: duplicates as written, before defaults; the flags by their value, so
        # "1" and "true" are one value, and a blank flag is false.
        earlier = slots.get(part.identity)
        if earlier is not None:
            first = earlier.phone
            assert first is not None
            if same_flag(first.is_sms, part.is_sms) and same_flag(
                first.is_preferred, part.is_preferred
            ):
                continue  # a duplicate row
            stage.error(
                row,
                f"PhoneNumber {_phone_text(part)} is also on row {earlier.number} with "
                "a different IsSMS or IsPreferred",
            )
            continue
        slots[part.identity] = row
        phone = None
        if part.assoc_id is not None:
            phone = next((p for p in contact.phones if p.id == part.assoc_id), None)
            if phone is None:
                stage.error(
                    row,
                    f"PhoneNumberAssocID '{part.assoc_id}' is not one of this contact's "
                    "phone numbers",
                )
                continue
            if part.number is DELETE:
                contact.phones.remove(phone)
                stage.delete("contact_phone", phone.id)
                continue
        if isinstance(part.number, str):
            digits, number = part.digits, part.number
        else:
            assert phone is not None
            digits, number = phone.phone.digits, phone.phone.number
        if part.extension is CLEAR:
            extension = ""
        elif isinstance(part.extension, str):
            extension = part.extension
        else:
            extension = phone.phone.extension if phone is not None else ""
        key = (digits, extension)
        if phone is None:
            same = [
                p
                for p in contact.phones
                if (p.phone.digits, p.phone.extension) == key and id(p) not in claimed
            ]
            typed = [p for p in same if p.phone_type_id == part.phone_type]
            phone = (typed or same)[0] if same else None
        if phone is None:
            phone = ContactPhoneRec(None, _shared_phone(ctx, stage, key, number), None, 0, False)
            contact.phones.append(phone)
            new.add(id(phone))
        elif (phone.phone.digits, phone.phone.extension) != key:
            phone.phone = _shared_phone(ctx, stage, key, number)
        claimed.add(id(phone))
        if part.phone_type is not None:
            phone.phone_type_id = None if part.phone_type is CLEAR else part.phone_type  # type: ignore[assignment]
        if part.is_preferred is not None:
            phone.is_preferred = part.is_preferred
        if part.is_sms is not None:
            given = sms_given.get(key)
            if given is not None and given[0] != part.is_sms:
                stage.error(
                    row,
                    f"IsSMS {ctx.show(part.is_sms, 'phone_is_sms')} conflicts with "
                    f"{ctx.show(given[0], 'phone_is_sms')} "
                    f"on row {given[1].number} for the same phone number",
                )
            sms_given[key] = (part.is_sms, row)
            stage.sms[key] = part.is_sms
        resolved.append((phone, part, row))
    assign_priorities(
        stage,
        "PhoneNumberPriorityOrder",
        [(rec, part.priority, row) for rec, part, row in resolved],
        contact.phones,
        new,
    )


def _phone_text(part: PhonePart) -> str:
    if isinstance(part.number, str):
        return repr(part.number)
    return f"of PhoneNumberAssocID '{part.assoc_id}'"


def _fold_twins(rows: list[ParsedRow]) -> None:
    """Twin rows of one phone where one leaves a flag blank and the other says false are a
    duplicate: the false is kept on the first of them, which is the one applied."""
    firsts: dict[tuple[str, ...], PhonePart] = {}
    for row in rows:
        part = row.phone
        if part is None:
            continue
        first = firsts.setdefault(part.identity, part)
        if first is part:
            continue
        if same_flag(first.is_sms, part.is_sms) and same_flag(
            first.is_preferred, part.is_preferred
        ):
            if first.is_sms is None:
                first.is_sms = part.is_sms
            if first.is_preferred is None:
                first.is_preferred = part.is_preferred
