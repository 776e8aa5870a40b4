"""The Schoology-style association import: which parent may see which child.

``tutela import associations FILE`` reads a two-column file: a parent's Unique ID (else an
account's username) and a child's student number, one pair a row. Each row makes sure the
contact is linked to the student and that the link's active detail grants data access
(``added``), or finds it so already (``unchanged``). The district chooses which column is
which (``--parent-column``, ``--student-column``: a header name or a 1-based column number)
and whether the first row holds headers (``--no-header``); without the options the columns
are found by their usual headers.

With ``--clear-for-students`` the file is the whole truth about its students: every other
contact's data access to each student of the file is revoked, keeping the link and its
history (the active detail ends today and a detail without access begins), and the run lists
what it cleared, the dry run exactly as the real one.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.db.models import Max

from tutela.accounts.models import Account
from tutela.core.bulk import CHUNK, by_lowered, chunks
from tutela.core.columns import ColumnMap
from tutela.core.commands import UsageError
from tutela.core.tabular import FileProblem, Table, normalise_header
from tutela.imports.accounts import children_of, students_by_number
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
from tutela.people.details import covers, pick_active_detail
from tutela.people.models import Contact, Student, StudentContact, StudentContactDetail
from tutela.people.services import unique_id_problem

PARENT, STUDENT = "Parent", "Student"
# The headers a column is found by when no option names it, in the order documented.
SPELLINGS = {
    PARENT: ("Parent Unique ID", "Parent Unique User ID"),
    STUDENT: ("Child Unique ID", "Child Unique User ID", "Student Unique ID", "Student Number"),
}
OPTION = {PARENT: "--parent-column", STUDENT: "--student-column"}
# Everything a detail record says besides its dates and data access, copied onto the detail
# that continues it.
DETAIL_FACTS = (
    "relationship_type_id",
    "relationship_note",
    "has_custody",
    "lives_with",
    "allow_school_pickup",
    "is_emergency_contact",
    "receives_mailings",
)


@dataclass(frozen=True)
class Pair:
    """A row's parent and child, and their columns' headers as the file spells them."""

    parent: str
    student: str
    parent_field: str
    student_field: str


def _column_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def _continued(detail: StudentContactDetail, **dates: Any) -> StudentContactDetail:
    """A new detail of the same link saying what ``detail`` says, from other dates."""
    facts = {name: getattr(detail, name) for name in DETAIL_FACTS}
    return StudentContactDetail(link_id=detail.link_id, **facts, **dates)


@dataclass
class Lookups:
    """What the file names, loaded in a few queries."""

    by_unique_id: dict[str, Contact]
    by_username: dict[str, Account]
    students: dict[str, Student]
    with_account: set[int]
    links: dict[tuple[int, int], StudentContact] = field(default_factory=dict)
    details: dict[int, list[StudentContactDetail]] = field(default_factory=dict)
    top: dict[int, int] = field(default_factory=dict)


class AssociationImporter(ImportKind[CheckedRow[Pair]]):
    """Link parents to children and grant data access, one row per pair."""

    kind = "associations"
    fields = (PARENT, STUDENT)
    required = (PARENT, STUDENT)
    counter_names = ("links_added", "access_granted", "access_cleared")
    one_row_per_group = True
    prints_log = True
    lists = ("cleared",)

    def headers(self) -> Mapping[str, str]:
        """Every documented spelling of each side's header, and the side it names."""
        return {
            normalise_header(spelling): side
            for side, spellings in SPELLINGS.items()
            for spelling in spellings
        }

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--parent-column",
            metavar="COL",
            help="the parents' column: a header name, or a column number (1 is the first)",
        )
        parser.add_argument(
            "--student-column",
            metavar="COL",
            help="the children's column: a header name, or a column number (1 is the first)",
        )
        parser.add_argument(
            "--no-header",
            action="store_true",
            help="the first row is data, not headers (give both columns by number)",
        )
        parser.add_argument(
            "--clear-for-students",
            action="store_true",
            help="revoke every other contact's data access to each student of the file",
        )

    def options_from(self, given: Mapping[str, Any]) -> dict[str, Any]:
        chosen = {
            PARENT: (given.get("parent_column") or "").strip() or None,
            STUDENT: (given.get("student_column") or "").strip() or None,
        }
        no_header = bool(given.get("no_header"))
        if no_header:
            for side, text in chosen.items():
                if text is None or _column_number(text) is None:
                    shown = "missing" if text is None else f"{text!r} is not a column number"
                    raise UsageError(
                        f"--no-header: give {OPTION[side]} as a column number ({shown})"
                    )
        both = [text for text in chosen.values() if text is not None]
        if len(both) == 2 and both[0] == both[1]:
            raise UsageError(f"--parent-column and --student-column both name {both[0]!r}")
        return {
            "parent_column": chosen[PARENT],
            "student_column": chosen[STUDENT],
            "no_header": no_header,
            "clear_for_students": bool(given.get("clear_for_students")),
        }

    def columns(self, table: Table, context: ImportContext) -> tuple[Table, ColumnMap]:
        options = context.options
        name = table.path.name
        headers = table.headers
        if options.get("no_header"):
            width = len(headers)
            first = (1, headers)
            headers = [f"Column {i}" for i in range(1, width + 1)]
            table = Table(path=table.path, headers=headers, rows=chain([first], table.rows))
            context.result.headers = headers
        positions: dict[str, int] = {}
        # A column the person mapped (the web import's mapping step, `--map`) counts as one
        # more spelling; one they chose to ignore counts as none.
        known: dict[str, str | None] = {**self.headers(), **context.mapping}
        for side in (PARENT, STUDENT):
            chosen = options.get(f"{side.lower()}_column")
            if chosen is None:
                positions[side] = self._by_spelling(side, headers, known, name)
            else:
                positions[side] = self._by_option(side, chosen, headers, name)
        if positions[PARENT] == positions[STUDENT]:
            raise FileProblem(f"{name}: the parents' and the children's column are one column")
        spelled = {side: headers[index] for side, index in positions.items()}
        return table, ColumnMap(positions=positions, spelled=spelled)

    @staticmethod
    def _by_spelling(
        side: str, headers: list[str], known: Mapping[str, str | None], name: str
    ) -> int:
        found = [
            i for i, header in enumerate(headers) if known.get(normalise_header(header)) == side
        ]
        if not found:
            spellings = " or ".join(repr(s) for s in SPELLINGS[side])
            raise FileProblem(
                f"{name}: missing required column(s): {spellings} (or name it with {OPTION[side]})"
            )
        if len(found) > 1:
            named = " and ".join(repr(headers[i]) for i in found)
            raise FileProblem(
                f"{name}: columns {named} both could be it: choose with {OPTION[side]}"
            )
        return found[0]

    @staticmethod
    def _by_option(side: str, chosen: str, headers: list[str], name: str) -> int:
        wanted = normalise_header(chosen)
        for index, header in enumerate(headers):
            if header and normalise_header(header) == wanted:
                return index
        number = _column_number(chosen)
        if number is None:
            listed = ", ".join(repr(h) for h in headers)
            raise FileProblem(
                f"{name}: {OPTION[side]} {chosen!r}: no such column (the file has {listed})"
            )
        if number > len(headers):
            raise FileProblem(
                f"{name}: {OPTION[side]} {number}: the file has {len(headers)} column(s)"
            )
        return number - 1

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], CheckedRow[Pair]]:
        parent_name, student_name = columns.spelled[PARENT], columns.spelled[STUDENT]
        no_header = bool(context.options.get("no_header"))
        spellings = {normalise_header(s) for side in SPELLINGS.values() for s in side}

        def read(number: int, cells: list[str]) -> CheckedRow[Pair]:
            parent, student = columns.get(cells, PARENT), columns.get(cells, STUDENT)
            errors: list[str] = []
            if (
                no_header
                and number == 1
                and {normalise_header(parent), normalise_header(student)} & spellings
            ):
                # A header row read as data would only say "no such parent": say what it is.
                errors.append(
                    f"row 1 looks like a header row ({parent!r}, {student!r}): "
                    "leave out --no-header, or remove the row"
                )
                return CheckedRow(number, (parent, student), f"row {number}", errors)
            if not parent:
                errors.append(f"{parent_name} is required")
            else:
                problem = unique_id_problem(parent)
                if problem:
                    errors.append(f"{parent_name} {problem}")
            if not student:
                errors.append(f"{student_name} is required")
            key = (parent, student)
            label = f"{parent} {student}".strip() or f"row {number}"
            if errors:
                return CheckedRow(number, key, label, errors)
            return CheckedRow(
                number, key, label, errors, Pair(parent, student, parent_name, student_name)
            )

        return read

    def apply(self, groups: list[Group[CheckedRow[Pair]]], context: ImportContext) -> None:
        rows = [(group, value_of(group)) for group in groups]
        found = _lookups([pair for _, pair in rows])
        counters = context.result.counters
        linked = {} if context.district_wide else children_of(c.pk for c in _contacts(found))
        today = datetime.date.today()
        new_links: list[StudentContact] = []
        new_details: list[StudentContactDetail] = []
        changed: dict[int, StudentContactDetail] = {}
        kept: dict[int, set[int]] = {}  # student id -> the contacts the file gives it
        claimed: dict[tuple[int, int], int] = {}  # (contact, student) -> its first row

        for group, pair in rows:
            number = group.checked[0].number
            errors: list[str] = []
            contact = found.by_unique_id.get(pair.parent)
            if contact is None:
                account = found.by_username.get(pair.parent.lower())
                if account is None:
                    errors.append(
                        f"{pair.parent_field} {pair.parent!r}: no contact has this Unique ID "
                        "and no account this username"
                    )
                elif account.contact is None:
                    errors.append(
                        f"{pair.parent_field} {pair.parent!r}: account {account.username} is "
                        "not a parent's account"
                    )
                else:
                    contact = account.contact
            student = found.students.get(pair.student)
            if student is None:
                errors.append(f"{pair.student_field} {pair.student!r}: no student has this number")
            if errors:
                group.reject({number: errors})
                continue
            assert contact is not None and student is not None
            if not context.district_wide and context.outside_scope(
                group,
                [
                    Touch(f"student {student.student_number}", student.school_id),
                    *(
                        Touch(f"contact #{contact.pk}'s student {n}", school)
                        for n, school in linked.get(contact.pk, [])
                    ),
                ],
            ):
                continue
            first = claimed.setdefault((contact.pk, student.pk), number)
            if first != number:
                # The Unique ID on one row and the username on another name one parent.
                group.done("skipped", f"same parent and child as row {first}: ignored")
                continue
            kept.setdefault(student.pk, set()).add(contact.pk)
            who = f"{pair.parent} to {student.student_number}"
            link = found.links.get((contact.pk, student.pk))
            if link is None:
                found.top[student.pk] = found.top.get(student.pk, 0) + 1
                link = StudentContact(
                    contact=contact,
                    student=student,
                    contact_priority_order=found.top[student.pk],
                )
                found.links[(contact.pk, student.pk)] = link
                new_links.append(link)
                new_details.append(
                    StudentContactDetail(
                        link=link,
                        relationship_type_id=contact.default_relationship_id,
                        start_date=today,
                        allow_data_access=True,
                    )
                )
                counters["links_added"] += 1
                message = f"linked {who} with data access"
            elif self._grant(link, found, today, new_details, changed):
                counters["access_granted"] += 1
                message = f"granted {who} data access (already linked)"
            else:
                group.done("unchanged", f"{who}: already linked with data access")
                continue
            if contact.pk not in found.with_account:
                message += f"; warning: contact #{contact.pk} has no portal account yet"
            group.done("added", message)

        if context.options.get("clear_for_students"):
            self._clear(kept, found, context, today, new_details, changed)
        StudentContact.objects.bulk_create(new_links, batch_size=CHUNK)
        for detail in new_details:
            if detail.link_id is None:
                detail.link_id = detail.link.pk
        StudentContactDetail.objects.bulk_create(new_details, batch_size=CHUNK)
        StudentContactDetail.objects.bulk_update(
            list(changed.values()), ["allow_data_access", "end_date"], batch_size=CHUNK
        )

    @staticmethod
    def _grant(
        link: StudentContact,
        found: Lookups,
        today: datetime.date,
        new_details: list[StudentContactDetail],
        changed: dict[int, StudentContactDetail],
    ) -> bool:
        """Make the link's detail in force today grant data access; whether anything changed.

        A link whose active detail has ended gets a new detail from today saying the same
        with access; one whose detail begins later gets access until then and from then.
        """
        active = pick_active_detail(found.details.get(link.pk, []), today)
        if active is None:
            new_details.append(
                StudentContactDetail(link=link, start_date=today, allow_data_access=True)
            )
            return True
        if covers(active, today):
            if active.allow_data_access:
                return False
            active.allow_data_access = True
            changed[active.pk] = active
            return True
        if active.end_date is not None and active.end_date < today:
            new_details.append(_continued(active, start_date=today, allow_data_access=True))
            return True
        assert active.start_date is not None  # it begins after today
        new_details.append(
            _continued(
                active,
                start_date=today,
                end_date=active.start_date - datetime.timedelta(days=1),
                allow_data_access=True,
            )
        )
        if not active.allow_data_access:
            active.allow_data_access = True
            changed[active.pk] = active
        return True

    @staticmethod
    def _clear(
        kept: dict[int, set[int]],
        found: Lookups,
        context: ImportContext,
        today: datetime.date,
        new_details: list[StudentContactDetail],
        changed: dict[int, StudentContactDetail],
    ) -> None:
        """Revoke every other contact's data access to the file's students (``kept``).

        A grant that has ended is none and stays as it is. One that began before today ends
        today and a detail without access continues it; one that begins today or later loses
        its access itself, having no history to keep.
        """
        numbers = {s.pk: s.student_number for s in found.students.values()}
        others: list[StudentContact] = []
        for batch in chunks(sorted(kept)):
            others.extend(
                StudentContact.objects.filter(student_id__in=batch).order_by("student_id", "pk")
            )
        others = [link for link in others if link.contact_id not in kept[link.student_id]]
        details: dict[int, list[StudentContactDetail]] = {}
        for batch in chunks([link.pk for link in others]):
            for detail in StudentContactDetail.objects.filter(link_id__in=batch).order_by("pk"):
                details.setdefault(detail.link_id, []).append(detail)
        cleared = context.result.lists["cleared"]
        for link in sorted(others, key=lambda link: (numbers[link.student_id], link.contact_id)):
            active = pick_active_detail(details.get(link.pk, []), today)
            if active is None or not active.allow_data_access:
                continue
            if active.end_date is not None and active.end_date < today:
                continue
            if active.start_date is not None and active.start_date >= today:
                active.allow_data_access = False
            else:
                new_details.append(
                    _continued(
                        active, start_date=today, end_date=active.end_date, allow_data_access=False
                    )
                )
                active.end_date = today
            changed[active.pk] = active
            cleared.append({"student": numbers[link.student_id], "contact_id": link.contact_id})
        context.result.counters["access_cleared"] += len(cleared)


def _contacts(found: Lookups) -> list[Contact]:
    accounts = [a.contact for a in found.by_username.values() if a.contact is not None]
    return [*found.by_unique_id.values(), *accounts]


def _lookups(pairs: list[Pair]) -> Lookups:
    """The contacts, accounts, students, links and details the file names, in a few queries."""
    by_unique_id: dict[str, Contact] = {}
    for batch in chunks(sorted({p.parent for p in pairs})):
        by_unique_id.update((c.unique_id, c) for c in Contact.objects.filter(unique_id__in=batch))
    unnamed = {p.parent.lower() for p in pairs if p.parent not in by_unique_id}
    by_username = by_lowered(Account.objects.select_related("contact"), "username", unnamed)
    students = students_by_number(p.student for p in pairs)
    found = Lookups(by_unique_id, by_username, students, set())
    contact_ids = sorted({c.pk for c in _contacts(found)})
    for pks in chunks(contact_ids):
        found.with_account.update(
            Account.objects.filter(contact_id__in=pks).values_list("contact_id", flat=True)
        )
        for link in StudentContact.objects.filter(contact_id__in=pks):
            found.links[(link.contact_id, link.student_id)] = link
        for detail in StudentContactDetail.objects.filter(link__contact_id__in=pks).order_by("pk"):
            found.details.setdefault(detail.link_id, []).append(detail)
    for pks in chunks(sorted(s.pk for s in students.values())):
        for student_id, highest in (
            StudentContact.objects.filter(student_id__in=pks)
            .values("student_id")
            .annotate(highest=Max("contact_priority_order"))
            .values_list("student_id", "highest")
        ):
            found.top[student_id] = highest or 0
    return found
