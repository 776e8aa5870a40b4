import zipfile
from pathlib import Path

import pytest
from pytest_django import Settings

from tests.conftest import write_xlsx
from tutela.core.columns import map_columns
from tutela.core.phones import phone_digits, strip_extension
from tutela.core.tabular import FileProblem, normalise_header, read_table


def rows_of(path: Path) -> list[tuple[int, list[str]]]:
    return list(read_table(path).rows)


def test_header_matching_ignores_case_spaces_underscores_and_parentheses() -> None:
    assert normalise_header("PhoneNumber (as entered)") == "phonenumber"
    assert normalise_header("Student_Number") == normalise_header("student number")
    assert normalise_header("Is Access Account Enabled") == "isaccessaccountenabled"


def test_header_matching_ignores_nested_parentheses_whole() -> None:
    assert normalise_header("LastName (legal (as on file))") == "lastname"
    assert normalise_header("Phone (home) Number (as entered)") == "phonenumber"


def test_it_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffName\r\nJosé\r\n".encode())
    table = read_table(path)
    assert table.headers == ["Name"]
    assert list(table.rows) == [(2, ["José"])]


def test_it_falls_back_to_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("Name\nJosé Muñoz\u2019s\n".encode("cp1252"))
    assert rows_of(path) == [(2, ["José Muñoz\u2019s"])]


def test_it_refuses_bytes_that_are_neither_utf8_nor_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"Name\n\x81\x8d\x8f\x90\x9d\n")
    with pytest.raises(FileProblem, match="neither UTF-8 nor Windows-1252"):
        read_table(path)


def test_it_refuses_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"\x00\x01\x02garbage\x00")
    with pytest.raises(FileProblem, match="not a text file"):
        read_table(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_excels_unicode_text_is_refused_by_name(tmp_path: Path, encoding: str) -> None:
    # Excel's "Unicode Text (*.txt)" is UTF-16 with a byte-order mark.
    path = tmp_path / "a.txt"
    data = "Name\tGrade\nJosé\t3\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    with pytest.raises(FileProblem, match=r"is UTF-16 text .*save it as CSV UTF-8"):
        read_table(path)


def test_tab_delimited_files_are_read_by_extension(tmp_path: Path) -> None:
    for suffix in (".txt", ".tsv"):
        path = tmp_path / f"a{suffix}"
        path.write_text("A\tB\n1\t2,3\n")
        assert rows_of(path) == [(2, ["1", "2,3"])]


def test_row_numbers_are_spreadsheet_rows_even_across_blank_and_multiline_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text('A,B\n1,"two\nlines"\n\n3,4\n')
    assert rows_of(path) == [(2, ["1", "two\nlines"]), (4, ["3", "4"])]


def test_a_ragged_row_refuses_the_file_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("A,B\n1,2\n3,4,5\n")
    with pytest.raises(FileProblem, match="row 3 has 3 cells but the header has 2"):
        rows_of(path)


@pytest.mark.parametrize(("content", "message"), [("", "empty"), ("\n\n", "empty")])
def test_an_empty_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(content)
    with pytest.raises(FileProblem, match=message):
        read_table(path)


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_text("x")
    with pytest.raises(FileProblem, match="unsupported file type"):
        read_table(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_an_xlsx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_text("Student_Number\n1\n")
    with pytest.raises(FileProblem, match=r"not an Excel \.xlsx workbook"):
        read_table(path)


def test_xlsx_numbers_and_dates_read_as_the_text_a_person_sees(tmp_path: Path) -> None:
    import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Number", "Decimal", "Date", "Flag", "Empty"])
    sheet.append([1001, 2.5, datetime.date(2024, 3, 7), True, None])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    assert rows_of(path) == [(2, ["1001", "2.5", "3/7/2024", "true", ""])]


def test_map_columns_refuses_an_unknown_column_by_name() -> None:
    with pytest.raises(FileProblem, match="unknown column 'Shoe Size'"):
        map_columns(["A", "Shoe Size"], {"a": "A"})


def test_map_columns_skips_the_errors_column_a_report_adds() -> None:
    columns = map_columns(["A", "B", "Errors"], {"a": "A", "b": "B"}, required=["A"])
    assert columns.positions == {"A": 0, "B": 1}


def test_map_columns_refuses_a_repeated_column() -> None:
    with pytest.raises(FileProblem, match="repeats"):
        map_columns(["A", "a"], {"a": "A"})


def test_map_columns_names_missing_required_columns() -> None:
    with pytest.raises(FileProblem, match="missing required column"):
        map_columns(["A"], {"a": "A", "b": "B"}, required=["B"])


@pytest.mark.parametrize(
    "typed", ["212-555-1234 x123", "212-555-1234 ext. 123", "212-555-1234 Ext 9", "212-555-1234"]
)
def test_extension_markup_is_dropped_from_phone_numbers(typed: str) -> None:
    assert strip_extension(typed) == "212-555-1234"


def test_phone_digits_ignore_punctuation() -> None:
    assert phone_digits("(212) 555.1234") == phone_digits("212-555-1234") == "2125551234"


def test_empty_columns_after_the_last_named_one_are_not_part_of_the_table(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("A,B,,\n1,2,,\n\n3,, ,\n")
    table = read_table(path)
    assert table.headers == ["A", "B"]
    assert list(table.rows) == [(2, ["1", "2"]), (4, ["3", ""])]


def test_a_value_under_an_unnamed_trailing_column_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("A,B,\n1,2,\n3,4,5\n")
    with pytest.raises(FileProblem, match="row 3 has a value beyond the last named column"):
        rows_of(path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_refused_by_name(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("Name,Grade\nJosé,3\n".encode(encoding))
    with pytest.raises(FileProblem, match=r"is UTF-16 text .*save it as CSV UTF-8"):
        read_table(path)


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_or_without_a_byte_order_mark_is_refused_by_name(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("Name,Grade\nJosé,3\n".encode(encoding))
    with pytest.raises(FileProblem, match=r"is UTF-32 text; save it as CSV UTF-8"):
        read_table(path)


def test_a_text_file_is_read_in_blocks_never_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Name,Note\n" + "".join(f"n{i},{'x' * 50}\n" for i in range(50_000)))
    monkeypatch.setattr("tutela.core.tabular.READ_BLOCK", 4096)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the whole file"))
    monkeypatch.setattr(Path, "read_text", lambda self, **k: pytest.fail("read the whole file"))
    rows = read_table(path).rows
    assert next(rows) == (2, ["n0", "x" * 50])
    assert sum(1 for _ in rows) == 49_999


def test_an_encoding_problem_late_in_the_file_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tutela.core.tabular.READ_BLOCK", 1024)
    path = tmp_path / "a.csv"
    path.write_bytes(b"Name\n" + b"abc\n" * 5000 + "José\n".encode("cp1252"))
    assert rows_of(path)[-1] == (5002, ["José"])
    path.write_bytes(b"Name\n" + b"abc\n" * 5000 + b"\x81\x8d\n")
    with pytest.raises(FileProblem, match="neither UTF-8 nor Windows-1252"):
        read_table(path)
    path.write_bytes(b"Name\n" + b"abc\n" * 5000 + b"\x00\n")
    with pytest.raises(FileProblem, match="not a text file"):
        read_table(path)


def test_a_cell_above_the_bound_refuses_the_file(tmp_path: Path) -> None:
    from tutela.core.tabular import MAX_CELL_CHARACTERS

    path = tmp_path / "a.csv"
    path.write_text("Name,Note\nA," + "n" * (MAX_CELL_CHARACTERS + 1) + "\n")
    with pytest.raises(FileProblem, match="field larger than field limit"):
        list(read_table(path).rows)


def bomb(path: Path, megabytes: int) -> Path:
    """A workbook whose sheet is ``megabytes`` of one repeated row: it packs to almost nothing."""
    write_xlsx(path, [["Student_Number"], ["1001"]])
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    row = b'<row><c t="inlineStr"><is><t>1001</t></is></c></row>'
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, tail = sheet.split(b"</sheetData>")
    filler = row * (megabytes * 1024 * 1024 // len(row))
    parts["xl/worksheets/sheet1.xml"] = head + filler + b"</sheetData>" + tail
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_an_xlsx_whose_sheet_unpacks_too_big_is_refused_before_reading(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TUTELA_MAX_SHEET_MB = 2
    path = bomb(tmp_path / "big.xlsx", 3)
    monkeypatch.setattr(
        "python_calamine.CalamineWorkbook.from_path", lambda *a: pytest.fail("it was read")
    )
    with pytest.raises(FileProblem, match="unpacks to more than 2 MB"):
        read_table(path)


def test_an_xlsx_that_compresses_like_a_bomb_is_refused(tmp_path: Path, settings: Settings) -> None:
    settings.TUTELA_MAX_SHEET_MB = 200
    settings.TUTELA_MAX_SHEET_RATIO = 100
    with pytest.raises(FileProblem, match="over 100 times its size"):
        read_table(bomb(tmp_path / "bomb.xlsx", 12))


def test_a_normal_xlsx_is_within_the_limits(tmp_path: Path, settings: Settings) -> None:
    settings.TUTELA_MAX_SHEET_MB = 1
    path = write_xlsx(tmp_path / "a.xlsx", [["Student_Number"], *[[str(n)] for n in range(999)]])
    assert len(list(read_table(path).rows)) == 999
