"""The contact's students: links, their detail records, and the contact's place among each
student's contacts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from tutela.imports.contacts.columns import COLUMN, DETAIL_FLAGS, LABEL
from tutela.imports.contacts.planning.context import Context, merge
from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.state import DetailRec, LinkRec, Slot
from tutela.imports.contacts.validation import CLEAR, DELETE, ParsedRow, StudentPart
from tutela.people.details import pick_active_detail, ranges_overlap
from tutela.people.models import OriginalContactType


@dataclass
class _DateRange:
    start_date: datetime.date | None
    end_date: datetime.date | None


def plan_students(ctx: Context, stage: Stage, rows: list[ParsedRow]) -> None:
    """The contact's links to students from the group's rows, and its place among each
    student's contacts.

    A row names a link by StudentContactAssocID, else by StudentNumber. A student's view
    (its contacts' positions and original types) is shared by all its contacts, so it is
    changed in place through the stage, which can undo it if the group is rejected.
    """
    contact = stage.contact
    by_student: dict[int, list[tuple[StudentPart, ParsedRow]]] = {}
    for row in rows:
        part = row.student
        if part is None:
            continue
        if part.assoc_id is not None:
            link = next((k for k in contact.links.values() if k.id == part.assoc_id), None)
            if link is None:
                stage.error(
                    row,
                    f"StudentContactAssocID '{part.assoc_id}' is not one of this contact's "
                    "students",
                )
                continue
            number = part.student_number
            if isinstance(number, str) and ctx.world.students.get(number) != link.student_id:
                stage.error(
                    row,
                    f"StudentNumber {number!r} is not the student of StudentContactAssocID "
                    f"'{part.assoc_id}'",
                )
                continue
            if number is DELETE:
                del contact.links[link.student_id]
                stage.remove_slot(ctx.world.view(link.student_id), contact.key)
                stage.delete("link", link.id)
                continue
            student_id = link.student_id
        else:
            assert isinstance(part.student_number, str)
            found = ctx.world.students.get(part.student_number)
            if found is None:
                stage.error(row, f"StudentNumber {part.student_number!r} is not a student")
                continue
            student_id = found
        by_student.setdefault(student_id, []).append((part, row))
    for student_id, items in by_student.items():
        _student_link(ctx, stage, student_id, items)


def _student_link(
    ctx: Context, stage: Stage, student_id: int, items: list[tuple[StudentPart, ParsedRow]]
) -> None:
    """One student's rows of the group: duplicates folded, dates that must not overlap
    (rule 12), the detail records each row updates or adds (rule 13), the contact's slot."""
    contact = stage.contact
    number = ctx.world.student_numbers.get(student_id, str(student_id))
    unique: list[tuple[StudentPart, ParsedRow]] = []
    for part, row in items:
        twin = next((other for other, _ in unique if _same(part, other)), None)
        if twin is not None:
            # A duplicate row; a flag it says false where its twin left it blank is kept.
            for name in DETAIL_FLAGS:
                if name in part.detail:
                    twin.detail.setdefault(name, part.detail[name])
            continue
        unique.append((part, row))
    errors_before = len(stage.errors)
    rows = [row for _, row in unique]
    if len(unique) == 1:  # the usual case: nothing to merge or compare
        kind, priority, priority_row = unique[0][0].original_type, unique[0][0].priority, None
    else:
        parts = {row.number: part for part, row in unique}
        kind, _ = merge(
            ctx,
            stage,
            rows,
            "original_contact_type",
            lambda r: parts[r.number].original_type,
        )
        priority, priority_row = merge(
            ctx, stage, rows, "contact_priority", lambda r: parts[r.number].priority
        )
    # Rule 12: one student on several rows needs dates that do not overlap.
    for index, (part, row) in enumerate(unique):
        for other, other_row in unique[:index]:
            if not ranges_overlap(
                _DateRange(part.start, part.end), _DateRange(other.start, other.end)
            ):
                continue
            if (part.start, part.end) == (other.start, other.end):
                fields = [
                    LABEL[name]
                    for name in ("relationship_type", "relationship_note", *DETAIL_FLAGS)
                    if _detail_value(part, name) != _detail_value(other, name)
                ] or ["values"]
                stage.error(
                    row,
                    f"StudentNumber {number!r} is also on row {other_row.number} with the "
                    f"same dates but a different {', '.join(fields)}",
                )
            else:
                stage.error(
                    row,
                    f"StudentNumber {number!r}: the relationship dates overlap those on row "
                    f"{other_row.number}",
                )
    if len(stage.errors) > errors_before:
        return
    link = contact.links.get(student_id)
    created = link is None
    if link is None:
        link = contact.links[student_id] = LinkRec(None, student_id)
    blanks = {} if created else _blank_details(ctx, link, [part for part, _ in unique])
    for part, row in unique:
        detail = _detail(stage, link, blanks, part, row, number)
        if detail is None:
            continue
        for name, value in part.detail.items():
            column = COLUMN[name]
            setattr(detail, column.attname, column.cleared if value is CLEAR else value)
        if detail.start_date and detail.end_date and detail.start_date > detail.end_date:
            start = ctx.show(detail.start_date, "relationship_start")
            end = ctx.show(detail.end_date, "relationship_end")
            stage.error(row, f"RelationshipStartDate {start} is after RelationshipEndDate {end}")
    for index, detail in enumerate(link.details):
        for earlier in link.details[:index]:
            if ranges_overlap(detail, earlier):
                stage.error(
                    rows[0],
                    f"StudentNumber {number!r}: the relationship dates would overlap "
                    f"another detail record of this student's link"
                    + (f" (StudentContactDetailID {earlier.id})" if earlier.id else ""),
                )
                return
    _place(ctx, stage, student_id, number, kind, priority, priority_row or rows[0])


def _blank_details(ctx: Context, link: LinkRec, parts: list[StudentPart]) -> dict[int, DetailRec]:
    """Rule 13 for the rows of an existing link that leave StudentContactDetailID blank:
    the detail each updates, by ``id`` of the row's part (absent: a new detail).

    One row updates the active detail. Several rows (rule 12) each update the detail with
    their dates; of those matching none, the one whose dates hold today (else the latest)
    updates the active detail if no other row names it, and the rest add details.
    """
    blank = [part for part in parts if part.detail_id is None]
    if len(parts) == 1:
        active = pick_active_detail(link.details, ctx.today)
        return {} if active is None or not blank else {id(blank[0]): active}
    named = {part.detail_id for part in parts if isinstance(part.detail_id, int)}
    free = [d for d in link.details if d.id not in named]
    chosen: dict[int, DetailRec] = {}
    unmatched: list[StudentPart] = []
    for part in blank:
        match = next(
            (
                d
                for d in free
                if (d.start_date, d.end_date) == (part.start, part.end) and d not in chosen.values()
            ),
            None,
        )
        if match is None:
            unmatched.append(part)
        else:
            chosen[id(part)] = match
    active = pick_active_detail(link.details, ctx.today)
    if unmatched and active in free and active not in chosen.values():
        ranges = [_DateRange(part.start, part.end) for part in unmatched]
        pick = pick_active_detail(ranges, ctx.today)
        chosen[id(unmatched[ranges.index(pick)])] = active  # type: ignore[arg-type]
    return chosen


def _detail(
    stage: Stage,
    link: LinkRec,
    blanks: dict[int, DetailRec],
    part: StudentPart,
    row: ParsedRow,
    number: str,
) -> DetailRec | None:
    """Rule 13: blank updates the active detail, ``#new`` adds one, a number names one."""
    if isinstance(part.detail_id, int):
        found = next((d for d in link.details if d.id == part.detail_id), None)
        if found is None:
            stage.error(
                row,
                f"StudentContactDetailID '{part.detail_id}' is not a detail record of this "
                f"contact's link to student {number!r}",
            )
        return found
    detail = blanks.get(id(part))
    if detail is None:
        detail = DetailRec(None)
        link.details.append(detail)
    return detail


def _place(
    ctx: Context,
    stage: Stage,
    student_id: int,
    number: str,
    kind: Any,
    priority: int | None,
    row: ParsedRow,
) -> None:
    """Rules 2, 5 and 11: the contact's slot among the student's contacts."""
    view = ctx.world.view(student_id)
    key = stage.contact.key
    slot = view.slots.get(key)
    if slot is None:
        top = max((s.priority for s in view.slots.values()), default=0)
        slot = Slot(None, top + 1, "")
        stage.add_slot(view, key, slot)
        fresh = True
    else:
        fresh = False
    if kind is not None:
        wanted = "" if kind is CLEAR else kind
        holder = next(
            (k for k, s in view.slots.items() if k != key and wanted and s.original_type == wanted),
            None,
        )
        if holder is not None:
            stage.error(
                row,
                f"OriginalContactType {wanted!r}: student {number!r} already has "
                + OriginalContactType.slot_phrase(wanted),
            )
            return
        stage.set_slot(slot, "original_type", wanted)
    if priority is None or (priority == slot.priority and not fresh):
        if priority is not None:
            stage.claim(view, priority, (key, row.number))
        return
    claim = view.claimed.get(priority)
    if claim is not None and claim[0] != key:
        stage.error(
            row,
            f"ContactPriorityOrder '{priority}': row {claim[1]} already puts another contact "
            f"at that position for student {number!r}",
        )
        return
    others = [s for k, s in view.slots.items() if k != key]
    if any(s.priority == priority for s in others):
        # Rule 11: the contact takes position N; those at N and after move down by one.
        for other in others:
            if other.priority >= priority:
                stage.set_slot(other, "priority", other.priority + 1)
    stage.set_slot(slot, "priority", priority)
    stage.claim(view, priority, (key, row.number))


def _same(part: StudentPart, other: StudentPart) -> bool:
    """Duplicate rows of one student: every value the same (flags by their value, so "1" and
    "true" are one value, and a blank flag is its default, false, as PowerSchool reads blanks;
    a blank code or text is not a value)."""
    return part.written == other.written or _values(part) == _values(other)


def _detail_value(part: StudentPart, name: str) -> object:
    value = part.detail.get(name)
    return bool(value) if name in DETAIL_FLAGS else value


def _values(part: StudentPart) -> tuple[object, ...]:
    detail = {
        name: value
        for name, value in part.detail.items()
        if not (name in DETAIL_FLAGS and value is False)
    }
    return (
        part.assoc_id,
        part.student_number,
        part.original_type,
        part.priority,
        part.detail_id,
        detail,
    )
