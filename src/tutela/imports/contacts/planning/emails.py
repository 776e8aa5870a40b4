"""The contact's email addresses: added, matched, changed, deleted, one of them primary."""

from __future__ import annotations

from tutela.imports.contacts.planning.context import same_flag
from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.state import EmailRec
from tutela.imports.contacts.validation import CLEAR, DELETE, EmailPart, ParsedRow


def plan_emails(stage: Stage, rows: list[ParsedRow]) -> None:
    """The contact's email addresses from the group's rows.

    Emails are matched by PersonEmailAddressAssocID, else by address ignoring case (rule 8),
    so a file written before or after the ids were known updates the same email; the one
    marked primary moves to the top, as PowerSchool orders them.
    """
    contact = stage.contact
    _fold_twins(rows)
    # Each address given so far: its first row, and the email it was given to.
    seen: dict[str, tuple[ParsedRow, EmailRec | None]] = {}
    primaries: list[tuple[EmailRec, ParsedRow]] = []
    touched = False
    for row in rows:
        part = row.email
        if part is None:
            continue
        touched = True
        if part.address is DELETE:
            found = next((e for e in contact.emails if e.id == part.assoc_id), None)
            if found is None:
                stage.error(
                    row,
                    f"PersonEmailAddressAssocID '{part.assoc_id}' is not one of this "
                    "contact's email addresses",
                )
            else:
                contact.emails.remove(found)
                stage.delete("email", found.id)
            continue
        address = part.address if isinstance(part.address, str) else None
        if address is not None:
            earlier = seen.get(address.lower())
            if earlier is not None:
                first_row, first_email = earlier
                twin = first_row.email
                assert twin is not None
                # PowerSchool: the same address is a duplicate when its type and primary flag
                # are the same; a row without the assoc ID names the same email.
                same_email = part.assoc_id in (None, twin.assoc_id) or (
                    first_email is not None and part.assoc_id == first_email.id
                )
                if same_email and _twins(twin, part):
                    continue  # a duplicate row ("1" and "true" are one value): ignored
                other = (
                    "EmailType or IsPrimaryEmailAddress"
                    if same_email
                    else "PersonEmailAddressAssocID"
                )
                stage.error(
                    row,
                    f"EmailAddress {address!r} is also on row {first_row.number} with a "
                    f"different {other}",
                )
                continue
            seen[address.lower()] = (row, None)
        email = None
        if part.assoc_id is not None:
            email = next((e for e in contact.emails if e.id == part.assoc_id), None)
            if email is None and address is None:
                stage.error(
                    row,
                    f"PersonEmailAddressAssocID '{part.assoc_id}' is not one of this "
                    "contact's email addresses",
                )
                continue
        if email is None and address is not None:
            email = next((e for e in contact.emails if e.address.lower() == address.lower()), None)
        if email is None:
            assert address is not None
            email = EmailRec(None, address, None, False, len(contact.emails) + 1)
            contact.emails.append(email)
        if address is not None:
            seen[address.lower()] = (row, email)
        if address is not None:
            clash = next(
                (
                    e
                    for e in contact.emails
                    if e is not email and e.address.lower() == address.lower()
                ),
                None,
            )
            if clash is not None:
                stage.error(
                    row,
                    f"EmailAddress {address!r} is already another of this contact's "
                    "email addresses",
                )
                continue
            if email.address.lower() != address.lower():
                email.address = address  # rule 8: a change of case is not a change
        if part.email_type is not None:
            email.email_type_id = None if part.email_type is CLEAR else part.email_type  # type: ignore[assignment]
        if part.is_primary is True:
            primaries.append((email, row))
        elif part.is_primary is False:
            email.is_primary = False
    if len(primaries) > 1:
        first = primaries[0][1]
        for _, row in primaries[1:]:
            stage.error(
                row,
                "IsPrimaryEmailAddress 'true': a contact has one primary email address and "
                f"row {first.number} already marks one",
            )
    elif primaries:
        # PowerSchool: an email marked primary becomes the first and the rest move down.
        chosen = primaries[0][0]
        for email in contact.emails:
            email.is_primary = email is chosen
        contact.emails.remove(chosen)
        contact.emails.insert(0, chosen)
    if touched:
        for order, email in enumerate(contact.emails, start=1):
            email.order = order


def _twins(first: EmailPart, part: EmailPart) -> bool:
    """The same address with the same type and primary flag (blank is false): a duplicate."""
    return first.email_type == part.email_type and same_flag(first.is_primary, part.is_primary)


def _fold_twins(rows: list[ParsedRow]) -> None:
    """Of duplicate rows of one address, where one leaves IsPrimaryEmailAddress blank and the
    other says false, the false is kept on the first of them, which is the one applied."""
    firsts: dict[str, EmailPart] = {}
    for row in rows:
        part = row.email
        if part is None or not isinstance(part.address, str):
            continue
        first = firsts.setdefault(part.address.lower(), part)
        if first is part or first.is_primary is not None:
            continue
        same_email = part.assoc_id in (None, first.assoc_id) or first.assoc_id is None
        if same_email and _twins(first, part):
            first.is_primary = part.is_primary
