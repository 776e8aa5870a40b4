"""The contact's addresses: matched by ID or street, changed, deleted, put in order."""

from __future__ import annotations

from tutela.imports.contacts.columns import COLUMN
from tutela.imports.contacts.planning.context import Context
from tutela.imports.contacts.planning.priorities import assign_priorities
from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.state import AddressRec
from tutela.imports.contacts.validation import CLEAR, DELETE, AddressPart, ParsedRow


def plan_addresses(ctx: Context, stage: Stage, rows: list[ParsedRow]) -> None:
    """The contact's addresses from the group's rows.

    Addresses are matched by AddressAssocID, else by street ignoring case and spacing, so a
    retyped street updates the address it names; the same address on several rows must agree
    on its priority (its type may differ), and priorities are given or filled in (rule 10).
    """
    contact = stage.contact
    seen: dict[str, tuple[AddressPart, AddressRec | None, ParsedRow]] = {}
    claimed: set[int] = set()
    resolved: list[tuple[AddressRec, int | None, ParsedRow]] = []
    new: set[int] = set()
    for row in rows:
        part = row.address
        if part is None:
            continue
        earlier = seen.get(part.identity)
        if earlier is not None:
            first, first_rec, first_row = earlier
            if part.written_priority != first.written_priority:
                stage.error(
                    row,
                    f"AddressPriorityOrder {part.written_priority or '(blank)'!r} differs "
                    f"from {first.written_priority or '(blank)'!r} on row {first_row.number} "
                    "for the same address",
                )
            elif part.written_type and not first.written_type and first_rec is not None:
                # The first row left the type blank: this row's type is the address's.
                first_rec.address_type_id = (
                    None if part.address_type is CLEAR else part.address_type  # type: ignore[assignment]
                )
                seen[part.identity] = (part, first_rec, first_row)
            # PowerSchool: rows equal in every field but the type are duplicates, ignored (the
            # first type given stands).
            continue
        address = None
        if part.assoc_id is not None:
            address = next((a for a in contact.addresses if a.id == part.assoc_id), None)
            if address is None:
                stage.error(
                    row,
                    f"AddressAssocID '{part.assoc_id}' is not one of this contact's addresses",
                )
                continue
            if part.street is DELETE:
                contact.addresses.remove(address)
                stage.delete("contact_address", address.id)
                stage.delete("address", address.address_id)
                continue
        elif isinstance(part.street, str):
            wanted = " ".join(part.street.lower().split())
            address = next(
                (
                    a
                    for a in contact.addresses
                    if " ".join(a.street.lower().split()) == wanted and id(a) not in claimed
                ),
                None,
            )
        if address is None:
            assert isinstance(part.street, str)
            address = AddressRec(None, None, part.street)
            contact.addresses.append(address)
            new.add(id(address))
        claimed.add(id(address))
        seen[part.identity] = (part, address, row)
        if isinstance(part.street, str):
            address.street = part.street
        for name, value in part.values.items():
            column = COLUMN[name]
            setattr(address, column.attname, column.cleared if value is CLEAR else value)
        if part.address_type is not None:
            address.address_type_id = None if part.address_type is CLEAR else part.address_type  # type: ignore[assignment]
        if address.start_date and address.end_date and address.start_date > address.end_date:
            stage.error(
                row,
                f"AddressStartDate {ctx.show(address.start_date, 'address_start')} is after "
                f"AddressEndDate {ctx.show(address.end_date, 'address_end')}",
            )
        resolved.append((address, part.priority, row))
    assign_priorities(stage, "AddressPriorityOrder", resolved, contact.addresses, new)
