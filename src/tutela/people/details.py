"""Which of a student link's dated detail records is in force."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol, TypeVar


class Dated(Protocol):
    start_date: datetime.date | None
    end_date: datetime.date | None


class Granting(Dated, Protocol):
    allow_data_access: bool


D = TypeVar("D", bound=Dated)
G = TypeVar("G", bound=Granting)


def covers(item: Dated, day: datetime.date) -> bool:
    """Blank start is the beginning of time, blank end the end of time; both ends inclusive."""
    return (item.start_date is None or item.start_date <= day) and (
        item.end_date is None or day <= item.end_date
    )


def start_key(item: Dated) -> datetime.date:
    return item.start_date or datetime.date.min


def pick_active_detail(details: Sequence[D], today: datetime.date) -> D | None:
    """The detail whose range holds today; failing that, the one that starts latest."""
    if not details:
        return None
    current = [d for d in details if covers(d, today)]
    return max(current or details, key=start_key)


def granting_detail(details: Sequence[G], today: datetime.date) -> G | None:
    """The active detail when it lets the contact see the student today (in force, allowing
    data access), else ``None``: a grant that has ended, or not yet begun, is none, even
    when the active-detail rule falls back to it."""
    detail = pick_active_detail(details, today)
    if detail is None or not covers(detail, today) or not detail.allow_data_access:
        return None
    return detail


def ranges_overlap(a: Dated, b: Dated) -> bool:
    a_start, b_start = start_key(a), start_key(b)
    a_end = a.end_date or datetime.date.max
    b_end = b.end_date or datetime.date.max
    return a_start <= b_end and b_start <= a_end
