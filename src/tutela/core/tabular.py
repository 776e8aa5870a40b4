"""Readers that turn a district's CSV, tab-delimited or XLSX file into rows of text.

Every reader yields ``(row_number, cells)`` where ``row_number`` is the spreadsheet row (the
header is row 1), so that every message can name the row a person sees in Excel. Problems with
the file as a whole raise ``FileProblem``, whose message is shown as is.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes


class FileProblem(Exception):
    """The file cannot be used at all; nothing is written."""


TEXT_SUFFIXES = {".csv": ",", ".txt": "\t", ".tsv": "\t"}
XLSX_SUFFIXES = {".xlsx"}

_PARENTHESISED = re.compile(r"\([^()]*\)")
_SEPARATORS = re.compile(r"[\s_]+")


def normalise_header(name: str) -> str:
    """Match headers ignoring case, spaces, underscores and any text in parentheses."""
    while True:  # innermost first, so "(legal (as on file))" goes whole
        name, found = _PARENTHESISED.subn("", name)
        if not found:
            return _SEPARATORS.sub("", name).lower()


@dataclass
class Table:
    """A file's header row and an iterator over its data rows."""

    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def read_table(path: Path) -> Table:
    """Open ``path`` by its extension; raise ``FileProblem`` if it cannot be read."""
    if not path.exists():
        raise FileProblem(f"{path}: no such file")
    if not path.is_file():
        raise FileProblem(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        headers, rows = _text_rows(path, TEXT_SUFFIXES[suffix])
    elif suffix in XLSX_SUFFIXES:
        headers, rows = _xlsx_rows(path)
    else:
        raise FileProblem(
            f"{path}: unsupported file type {suffix or '(none)'!r}; "
            "use .csv (comma), .txt or .tsv (tab) or .xlsx"
        )
    if not any(h.strip() for h in headers):
        raise FileProblem(f"{path}: the first row has no column names")
    return Table(path=path, headers=[h.strip() for h in headers], rows=rows)


def decode(data: bytes, path: Path) -> str:
    """Strict UTF-8 (with or without BOM) first, then Windows-1252, else refuse."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or _wide_text(data, 4, 0.95):
        raise FileProblem(f"{path}: the file is UTF-32 text; save it as CSV UTF-8 and try again")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _wide_text(data, 2, 0.75):
        raise FileProblem(
            f'{path}: the file is UTF-16 text (Excel\'s "Unicode Text"); '
            "save it as CSV UTF-8 and try again"
        )
    if b"\x00" in data:
        raise FileProblem(f"{path}: this is not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        guess = from_bytes(data[:65536]).best()
        hint = f" (it looks like {guess.encoding})" if guess else ""
        raise FileProblem(
            f"{path}: the file is neither UTF-8 nor Windows-1252 text{hint}; "
            "save it as CSV UTF-8 and try again"
        ) from None


def _wide_text(data: bytes, width: int, nul_share: float) -> bool:
    """Text in a ``width``-byte encoding (UTF-16: 2, UTF-32: 4) without a byte-order mark: in
    Latin text one byte of every unit holds the letter and the others are almost all NUL."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % width]
    if len(sample) < 2 * width:
        return False
    units = len(sample) // width
    shares = sorted(sample[i::width].count(0) / units for i in range(width))
    return shares[0] <= 0.05 and shares[1] >= nul_share


def _text_rows(path: Path, delimiter: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = decode(path.read_bytes(), path)
    if not text.strip():
        raise FileProblem(f"{path}: the file is empty")
    # No cell can be longer than the file. A too-long value is then its row's error (each
    # column has its limit), not "field larger than field limit" refusing the whole file.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader)
    except csv.Error as error:
        raise FileProblem(f"{path}: row 1 cannot be read: {error}") from None

    # Empty columns after the last named one (Excel writes ",," for columns that only ever
    # held formatting) are not part of the table, as in an .xlsx sheet; a value under one
    # refuses the file rather than being dropped unseen.
    width = len(headers)
    named = width
    while named and not headers[named - 1].strip():
        named -= 1

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            # Counting records, not lines, gives the row number Excel shows even when a
            # quoted cell spans several lines.
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != width:
                    raise FileProblem(
                        f"{path}: row {number} has {len(cells)} cells but the header has {width}"
                    )
                if named < width:
                    if any(c.strip() for c in cells[named:]):
                        raise FileProblem(
                            f"{path}: row {number} has a value beyond the last named column"
                        )
                    cells = cells[:named]
                yield number, cells
        except csv.Error as error:
            raise FileProblem(
                f"{path}: a row near line {reader.line_num} cannot be read: {error}"
            ) from None

    return headers[:named], rows()


def cell_text(value: object) -> str:
    """The text a person sees in the cell: ``1001``, not ``1001.0``; dates as m/d/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value.month}/{value.day}/{value.year}"
    return str(value)


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from python_calamine import CalamineWorkbook

    if not zipfile.is_zipfile(path):
        raise FileProblem(f"{path}: this is not an Excel .xlsx workbook")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise FileProblem(f"{path}: the workbook has no sheets")
        sheet = workbook.get_sheet_by_index(0)
        data = iter(sheet.iter_rows())
        first = next(data, None)
    except FileProblem:
        raise
    except Exception as error:  # calamine reports corrupt workbooks with several error types
        raise FileProblem(f"{path}: the workbook cannot be read: {error}") from None
    if first is None:
        raise FileProblem(f"{path}: the first sheet is empty")
    headers = [cell_text(v) for v in first]
    while headers and not headers[-1].strip():
        headers.pop()
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(data, start=2):
            cells = [cell_text(v) for v in values]
            extra = cells[width:]
            if any(c.strip() for c in extra):
                raise FileProblem(f"{path}: row {number} has a value beyond the last named column")
            cells = cells[:width] + [""] * (width - len(cells))
            if any(c.strip() for c in cells):
                yield number, cells

    return headers, rows()
