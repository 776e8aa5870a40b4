"""Readers that turn a district's CSV, tab-delimited or XLSX file into rows of text.

Every reader yields ``(row_number, cells)`` where ``row_number`` is the spreadsheet row (the
header is row 1), so that every message can name the row a person sees in Excel. Problems with
the file as a whole raise ``FileProblem``, whose message is shown as is. A ``'`` that Tutela put
before a formula-like cell of a CSV it wrote (``core.spreadsheets``) is taken away again.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from tutela.core.spreadsheets import restored


class FileProblem(Exception):
    """The file cannot be used at all; nothing is written."""


TEXT_SUFFIXES = {".csv": ",", ".txt": "\t", ".tsv": "\t"}
XLSX_SUFFIXES = {".xlsx"}

# Text files are read this much at a time; no cell may be longer than MAX_CELL_CHARACTERS.
READ_BLOCK = 1 << 20
MAX_CELL_CHARACTERS = 1_000_000

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
    # Where a row is, for messages, when the file is not a spreadsheet ("Contact.xml line
    # 50674" for an XML element); ``None``: the row's number is its place.
    where: Callable[[int], str] | None = None


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
    return Table(path=path, headers=[h.strip() for h in restored(headers)], rows=rows)


def text_encoding(path: Path) -> str:
    """Strict UTF-8 (with or without BOM) first, then Windows-1252, else refuse.

    The file is read block by block, never whole: a district's file may be hundreds of MB.
    """
    blank = True
    nul = False
    utf8: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")()
    cp1252 = True
    with path.open("rb") as handle:
        sample = handle.read(65536)
        if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or _wide_text(
            sample, 4, 0.95
        ):
            raise FileProblem(
                f"{path}: the file is UTF-32 text; save it as CSV UTF-8 and try again"
            )
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _wide_text(
            sample, 2, 0.75
        ):
            raise FileProblem(
                f'{path}: the file is UTF-16 text (Excel\'s "Unicode Text"); '
                "save it as CSV UTF-8 and try again"
            )
        block = sample.removeprefix(codecs.BOM_UTF8)
        while block:
            nul = nul or b"\x00" in block
            blank = blank and not block.strip()
            if utf8 is not None:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    utf8 = None
            if cp1252:
                try:
                    block.decode("cp1252")  # one byte a character: blocks split anywhere
                except UnicodeDecodeError:
                    cp1252 = False
            block = handle.read(READ_BLOCK)
    if nul:
        raise FileProblem(f"{path}: this is not a text file (it contains NUL bytes)")
    if utf8 is not None:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = None
    if utf8 is None and not cp1252:
        guess = from_bytes(sample).best()
        hint = f" (it looks like {guess.encoding})" if guess else ""
        raise FileProblem(
            f"{path}: the file is neither UTF-8 nor Windows-1252 text{hint}; "
            "save it as CSV UTF-8 and try again"
        )
    if blank:
        raise FileProblem(f"{path}: the file is empty")
    return "utf-8-sig" if utf8 is not None else "cp1252"


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
    encoding = text_encoding(path)
    # A too-long value is its row's error (each column has its limit), not "field larger than
    # field limit" refusing the whole file, up to a bound that keeps one cell's memory small.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARACTERS))
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    try:
        headers = next(reader)
    except csv.Error as error:
        handle.close()
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
                yield number, restored(cells)
        except csv.Error as error:
            raise FileProblem(
                f"{path}: a row near line {reader.line_num} cannot be read: {error}"
            ) from None
        finally:
            handle.close()

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


# Below this, a part of the workbook is small enough whatever its compression ratio.
RATIO_FLOOR_BYTES = 10 << 20


def _refuse_unpacking_too_much(path: Path) -> None:
    """Refuse, from the zip's directory alone, a workbook whose sheet (or shared strings)
    would unpack too much (``refuse_oversized_parts``): the reader holds a whole sheet in
    memory, and a few MB can unpack to many GB."""
    try:
        with zipfile.ZipFile(path) as workbook:
            parts = workbook.infolist()
    except zipfile.BadZipFile as error:
        raise FileProblem(f"{path}: the workbook cannot be read: {error}") from None
    refuse_oversized_parts(
        path,
        [part for part in parts if part.filename.startswith("xl/")],
        what="the workbook",
        instead="split it, or save it as CSV",
    )


def refuse_oversized_parts(
    path: Path, parts: list[zipfile.ZipInfo], *, what: str, instead: str
) -> None:
    """Refuse a zip (``what``: "the workbook", "the package") one of whose ``parts`` would
    unpack to more than ``TUTELA_MAX_SHEET_MB``, or compresses far better than any real
    district file (``TUTELA_MAX_SHEET_RATIO``), from its directory alone. A part is never
    read beyond the size its directory gives, so the check bounds what reading it costs."""
    from django.conf import settings

    limit_mb, ratio = settings.TUTELA_MAX_SHEET_MB, settings.TUTELA_MAX_SHEET_RATIO
    for part in parts:
        if part.file_size > limit_mb * 1024 * 1024:
            raise FileProblem(
                f"{path}: {what} unpacks to more than {limit_mb} MB ({part.filename}); {instead}"
            )
        if part.file_size > RATIO_FLOOR_BYTES and part.file_size > ratio * part.compress_size:
            raise FileProblem(
                f"{path}: {what} unpacks to over {ratio} times its size "
                f"({part.filename}), which no real file does; {instead}"
            )


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from python_calamine import CalamineWorkbook

    if not zipfile.is_zipfile(path):
        raise FileProblem(f"{path}: this is not an Excel .xlsx workbook")
    _refuse_unpacking_too_much(path)
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
                yield number, restored(cells)

    return headers, rows()
