"""The contacts import's column table against the models it fills and the files districts send."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from tutela.core.columns import map_columns
from tutela.core.tabular import normalise_header
from tutela.core.values import quoted
from tutela.imports.contacts.columns import COLUMN, COLUMNS, KNOWN, Column, Kind, Section
from tutela.imports.contacts.state import (
    AddressRec,
    ContactPhoneRec,
    ContactRec,
    DetailRec,
    EmailRec,
    PhoneRec,
)
from tutela.imports.contacts.validation import RowValidator
from tutela.people.codesets import CodeBook
from tutela.people.models import (
    Address,
    Code,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    StudentContactDetail,
)

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "contacts_powerschool.csv"
STORED = [column for column in COLUMNS if column.model is not None]
# The in-memory record that carries each model's fields while a file is planned.
RECORDS: dict[type[models.Model], type[Any]] = {
    Contact: ContactRec,
    ContactEmail: EmailRec,
    Phone: PhoneRec,
    ContactPhone: ContactPhoneRec,
    Address: AddressRec,
    ContactAddress: AddressRec,
    StudentContactDetail: DetailRec,
}


def model_field(column: Column) -> models.Field[Any, Any]:
    assert column.model is not None
    found = column.model._meta.get_field(column.field_name)
    assert isinstance(found, models.Field)
    return found


# A value each section needs beside the column tested, so the row's only problems are its own.
COMPANIONS = {
    Section.EMAIL: ("EmailAddress", "jane@example.org"),
    Section.PHONE: ("PhoneNumber", "212-555-0101"),
    Section.ADDRESS: ("Street", "1 Main St"),
    Section.STUDENT: ("StudentNumber", "1001"),
}


def errors_of(column: Column, text: str, codes: list[Code] | None = None) -> list[str]:
    """The problems of ``text`` in ``column``, on a row of its own."""
    cells = {"Identifier": "P1", column.header: text}
    companion = COMPANIONS.get(column.section)
    if companion is not None and companion[0] != column.header:
        cells.setdefault(*companion)
    validator = RowValidator(map_columns(list(cells), KNOWN), CodeBook(codes or []))
    return validator.parse(2, list(cells.values())).errors


def email_of_length(length: int) -> str:
    """A valid address of exactly ``length`` characters: a 64-character local part and a domain
    of labels no longer than 63."""
    local = "a" * 64
    room = length - len(local) - 1 - len(".org")
    labels = []
    while room > 0:
        size = min(63, room)
        labels.append("b" * size)
        room -= size + 1
    return f"{local}@{'.'.join(labels)}.org"


def test_every_header_of_a_powerschool_export_is_declared() -> None:
    with GOLDEN.open(encoding="utf-8-sig", newline="") as handle:
        headers = next(csv.reader(handle))
    assert headers
    assert [h for h in headers if normalise_header(h) not in KNOWN] == []


def test_no_two_columns_share_a_key_or_a_spelling() -> None:
    keys = [column.key for column in COLUMNS]
    spellings = [normalise_header(s) for c in COLUMNS for s in (c.header, *c.aliases)]
    assert len(set(keys)) == len(keys)
    assert len(set(spellings)) == len(spellings)


@pytest.mark.parametrize("column", STORED, ids=lambda c: c.header)
def test_each_column_fills_a_field_of_its_model(column: Column) -> None:
    field = model_field(column)
    expected: dict[Kind, tuple[type[models.Field[Any, Any]], ...]] = {
        Kind.TEXT: (models.CharField, models.ForeignKey),
        Kind.USERNAME: (models.CharField,),
        Kind.EMAIL: (models.CharField,),
        Kind.BOOLEAN: (models.BooleanField,),
        Kind.DATE: (models.DateField,),
        Kind.ID: (models.AutoField, models.BigAutoField),
        Kind.PRIORITY: (models.PositiveIntegerField,),
        Kind.CODE: (models.ForeignKey,),
        Kind.GEOCODE: (models.DecimalField,),
        Kind.CHOICE: (models.CharField,),
    }
    assert isinstance(field, expected[column.kind])
    assert column.attname == field.attname


@pytest.mark.parametrize(
    "column",
    [c for c in STORED if c.model in RECORDS and c.kind is not Kind.ID],
    ids=lambda c: c.header,
)
def test_each_column_has_a_place_on_the_record_planning_changes(column: Column) -> None:
    assert column.model is not None
    assert column.attname in RECORDS[column.model].__dataclass_fields__


@pytest.mark.parametrize(
    "column", [c for c in STORED if c.max_length is not None], ids=lambda c: c.header
)
def test_the_import_enforces_the_model_fields_length(column: Column) -> None:
    length = model_field(column).max_length
    assert length is not None
    assert column.max_length == length
    if column.kind is Kind.EMAIL:
        fits = email_of_length(length)
    elif column.key == "phone_number":
        fits = ("1-" * length)[:length]  # as many digits as a phone may have
    else:
        fits = "a" * length
    assert len(fits) == length
    assert errors_of(column, fits) == []
    too_long = "a" + fits
    assert errors_of(column, too_long) == [
        f"{column.header} {quoted(too_long)}: is longer than {length} characters"
    ]


def test_text_that_is_only_looked_up_has_no_length() -> None:
    """A student is named by its number and the Identifier is stored nowhere: a long one is
    "not a student" or a contact of the file, never a length error."""
    for key in ("identifier", "student_number"):
        column = COLUMN[key]
        assert column.max_length is None
        assert errors_of(column, "9" * 500) == []


@pytest.mark.parametrize(
    "column", [c for c in STORED if c.kind is Kind.CODE], ids=lambda c: c.header
)
@pytest.mark.django_db
def test_a_code_column_takes_codes_of_its_model_fields_code_type(column: Column) -> None:
    remote = model_field(column).remote_field
    assert remote is not None
    assert remote.model is Code
    assert isinstance(remote.limit_choices_to, dict)
    assert column.code_type == remote.limit_choices_to["code_type"]
    other = CodeType.GENDER if column.code_type != CodeType.GENDER else CodeType.PREFIX
    codes = [
        Code.objects.create(code_type=column.code_type, code="Zed"),
        Code.objects.create(code_type=other, code="Wye"),
    ]
    assert errors_of(column, "zed", codes) == []
    assert errors_of(column, "Wye", codes) == [
        f"{column.header} 'Wye': is not a {column.code_type} code"
    ]


def test_the_choice_column_takes_the_model_fields_choices() -> None:
    column = COLUMN["original_contact_type"]
    choices = [value for value, _ in model_field(column).flatchoices]
    assert list(column.choices) == choices
    assert errors_of(column, choices[-1].upper()) == []
    assert errors_of(column, "aunt") == [
        f"OriginalContactType 'aunt': is not an original contact type ({', '.join(choices)})"
    ]


@pytest.mark.parametrize("column", STORED, ids=lambda c: c.header)
def test_clear_leaves_an_empty_value_the_model_allows(column: Column) -> None:
    field = model_field(column)
    errors = errors_of(column, "#clear")
    if not column.clearable:
        assert len(errors) == 1
        assert errors[0].startswith(f"{column.header} '#clear': ")
        assert errors[0].endswith("cannot be cleared") or "cannot be cleared (" in errors[0]
        return
    assert errors == []
    if column.cleared is None:
        assert field.null
    else:
        assert column.cleared == ""
        assert field.blank


def test_a_required_value_can_never_be_cleared() -> None:
    assert [c.header for c in COLUMNS if c.required and c.clearable] == []


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.header)
def test_delete_and_new_are_allowed_only_where_declared(column: Column) -> None:
    refused = f"{column.header} '#delete': #delete is not allowed in this column"
    assert (refused in errors_of(column, "#delete")) is not column.deletable
    refused = f"{column.header} '#new': #new is only allowed in StudentContactDetailID"
    assert (refused in errors_of(column, "#new")) is not column.new


def test_every_column_but_the_contacts_key_fills_a_field() -> None:
    assert [c.header for c in COLUMNS if c.model is None] == ["Identifier"]
    assert [c.header for c in COLUMNS if c.section is Section.KEY] == ["Identifier", "ID"]
