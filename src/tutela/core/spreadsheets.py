"""CSV cells that are safe to open in a spreadsheet, and read back as they were meant.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula, and parents type some of the values Tutela writes
(a registration name, a portal email): ``=HYPERLINK("http://…", "Click")`` in a report a school
opens would be live. So every CSV Tutela writes goes through ``csv_writer``, which puts a
``'`` before such a cell (the spreadsheet's own mark for "this is text"), as OWASP recommends.

The import readers take that ``'`` away again (``restored``): a report of rejected rows, fixed
and imported again, imports the value the district meant. XLSX files need none of this: their
cells are written as typed strings, never as formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def neutralised(value: Any) -> Any:
    """``value`` with a ``'`` in front if it is text a spreadsheet would take as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def restored(cells: list[str]) -> list[str]:
    """A row's cells with the ``'`` that ``neutralised`` added taken away again."""
    if TEXT_MARK not in "".join(cells):  # nearly every row: one fast look
        return cells
    return [
        cell[1:] if cell.startswith(TEXT_MARK) and cell[1:2] in FORMULA_STARTS else cell
        for cell in cells
    ]


class SafeWriter:
    """``csv.writer`` whose every cell is ``neutralised``."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralised(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: Any, **options: Any) -> SafeWriter:
    """The one way Tutela writes CSV: ``csv.writer(handle, **options)`` with formula cells
    neutralised."""
    return SafeWriter(handle, **options)
