"""What one group would change, kept apart until the whole group is accepted (rule 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tutela.imports.contacts.state import ContactKey, ContactRec, PhoneRec, Slot, StudentView
from tutela.imports.contacts.validation import ParsedRow

Outcome = Literal["added", "updated", "deleted", "unchanged"]
Errors = dict[int, list[str]]


@dataclass
class Stage:
    """The changes one group would make, kept apart until the group is accepted."""

    contact: ContactRec
    existed: bool
    new_phones: dict[tuple[str, str], PhoneRec] = field(default_factory=dict)
    sms: dict[tuple[str, str], bool] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    account_created: bool = False
    # Student views are shared by every contact of a student, so a group changes them in
    # place and keeps an undo log; a rejected group's changes are undone in reverse order.
    undo: list[Callable[[], object]] = field(default_factory=list)
    slots_changed: bool = False

    def set_slot(self, slot: Slot, name: str, value: Any) -> None:
        old = getattr(slot, name)
        if old != value:
            setattr(slot, name, value)
            self.undo.append(lambda: setattr(slot, name, old))
            self.slots_changed = True

    def add_slot(self, view: StudentView, key: ContactKey, slot: Slot) -> None:
        view.slots[key] = slot
        self.undo.append(lambda: view.slots.pop(key, None))
        self.slots_changed = True

    def remove_slot(self, view: StudentView, key: ContactKey) -> None:
        slot = view.slots.pop(key, None)
        if slot is not None:
            self.undo.append(lambda: view.slots.__setitem__(key, slot))
            self.slots_changed = True

    def claim(self, view: StudentView, priority: int, claim: tuple[ContactKey, int]) -> None:
        old = view.claimed.get(priority)
        view.claimed[priority] = claim
        if old is None:
            self.undo.append(lambda: view.claimed.pop(priority, None))
        else:
            self.undo.append(lambda: view.claimed.__setitem__(priority, old))

    def roll_back(self) -> None:
        for action in reversed(self.undo):
            action()
        self.undo.clear()

    def error(self, row: ParsedRow, message: str) -> None:
        self.errors.setdefault(row.number, []).append(message)

    def delete(self, kind: str, pk: int | None) -> None:
        if pk is not None:
            self.deleted.setdefault(kind, []).append(pk)
