"""Cells a spreadsheet program will show as text, never run as a formula.

A CSV that Tutela writes is opened in Excel or LibreOffice by district staff, and its cells
hold what families and imports typed: a name such as ``=HYPERLINK(...)`` must stay a name.
OWASP's advice for CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, which spreadsheets hide and treat as "this is text".
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """``value``, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
