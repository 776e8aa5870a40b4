"""The Address section of the seed page, and rules 4, 7 and 10 for addresses."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.people.models import Address, Contact, ContactAddress

pytestmark = pytest.mark.django_db

H = [
    "Identifier",
    "LastName",
    "Street",
    "City",
    "State",
    "PostalCode",
    "AddressType",
    "AddressPriorityOrder",
    "GeocodeLatitude",
    "GeocodeLongitude",
    "AddressStartDate",
    "AddressEndDate",
]


def row(street: str = "1 Main St", **values: str) -> list[str]:
    cells = dict.fromkeys(H, "")
    cells.update({"Identifier": "P1", "LastName": "Lee", "Street": street})
    cells.update({k.replace("_", ""): v for k, v in values.items()})
    return [cells[h] for h in H]


def links() -> list[tuple[str, int]]:
    return list(
        ContactAddress.objects.order_by("priority_order").values_list(
            "address__street", "priority_order"
        )
    )


def test_an_address_is_added_with_its_values(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        row(
            City="Albany",
            State="NY",
            PostalCode="12207",
            AddressType="home",
            GeocodeLatitude="42.65",
            GeocodeLongitude="-73.75",
            AddressStartDate="9/1/2024",
            AddressEndDate="06/30/25",
        ),
    )
    assert run.code == 0, run.out
    link = ContactAddress.objects.select_related("address__state", "address_type").get()
    assert link.address.state is not None
    assert link.address.state.qualified_code == "US_NY"
    assert (link.address.latitude, link.address.longitude) == (Decimal("42.65"), Decimal("-73.75"))
    assert (link.start_date, link.end_date) == (
        datetime.date(2024, 9, 1),
        datetime.date(2025, 6, 30),
    )
    assert code_of(link.address_type) == "Home"


def test_state_may_be_written_country_underscore_state(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    assert import_rows(H, row(State="us_ny"))[0].code == 0
    assert code_of(Address.objects.get().state) == "NY"


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("91", "0", "GeocodeLatitude '91': must be between -90 and 90"),
        ("0", "-180.5", "GeocodeLongitude '-180.5': must be between -180 and 180"),
        ("north", "0", "GeocodeLatitude 'north': is not a decimal number"),
    ],
)
def test_geocodes_accept_the_whole_globe_and_nothing_else(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
    latitude: str,
    longitude: str,
    message: str,
) -> None:
    _run, report = import_rows(H, row(GeocodeLatitude=latitude, GeocodeLongitude=longitude))
    assert errors_of(report) == [message]


def test_negative_geocodes_of_the_americas_are_accepted(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    assert import_rows(H, row(GeocodeLatitude="-33.4", GeocodeLongitude="-70.6"))[0].code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-09-01", "is not a date in mm/dd/yyyy or mm/dd/yy form"),
        ("02/30/2024", "is not a real date"),
        ("9/1/024", "is not a date in mm/dd/yyyy or mm/dd/yy form"),
    ],
)
def test_dates_must_be_m_d_yyyy_or_m_d_yy_and_real(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], text: str, message: str
) -> None:
    _run, report = import_rows(H, row(AddressStartDate=text))
    assert errors_of(report) == [f"AddressStartDate {text!r}: {message}"]


def test_two_digit_years_pivot_as_python_does(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row(AddressStartDate="1/2/69", AddressEndDate="12/31/68"))
    assert run.code == 0  # 69 is 1969 and 68 is 2068, as Python's %y reads them
    link = ContactAddress.objects.get()
    assert (link.start_date, link.end_date) == (
        datetime.date(1969, 1, 2),
        datetime.date(2068, 12, 31),
    )


def test_start_after_end_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row(AddressStartDate="2/1/2025", AddressEndDate="1/1/2025"))
    assert errors_of(report) == ["AddressStartDate '2/1/2025' is after AddressEndDate '1/1/2025'"]


def test_an_end_before_the_stored_start_names_each_date_where_it_came_from(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """The start is the stored one (shown as m/d/yyyy), the end is quoted as the file wrote it."""
    import_rows(H, row(AddressStartDate="2/1/2025"))
    contact = Contact.objects.get()
    address = ContactAddress.objects.get()
    _run, report = import_rows(
        ["ID", "AddressAssocID", "AddressEndDate"], [contact.pk, address.pk, "01/01/25"]
    )
    assert errors_of(report) == ["AddressStartDate '2/1/2025' is after AddressEndDate '01/01/25'"]


def test_rows_equal_but_for_type_are_one_address(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row(City="Albany"), row(City="Albany", AddressType="Home"))
    assert run.code == 0
    assert code_of(ContactAddress.objects.get().address_type) == "Home"


def test_rows_differing_only_in_type_are_a_duplicate_not_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        H, row(AddressType="Home"), row(AddressType="Mailing"), row(AddressType="")
    )
    assert run.code == 0, report
    assert code_of(ContactAddress.objects.get().address_type) == "Home"


def test_a_duplicate_with_another_priority_is_rejected(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(H, row(AddressPriorityOrder="1"), row(AddressPriorityOrder="2"))
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "AddressPriorityOrder '2' differs from '1' on row 2 for the same address"
    ]


def test_any_other_difference_makes_another_address(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row(City="Albany"), row(City="Troy"), row("2 Elm St"))
    assert run.code == 0
    assert links() == [("1 Main St", 1), ("1 Main St", 2), ("2 Elm St", 3)]


def test_address_priorities_fill_the_gaps_in_file_order(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        row("A St"),
        row("B St", AddressPriorityOrder="1"),
        row("C St"),
        row("D St", AddressPriorityOrder="3"),
    )
    assert run.code == 0
    assert links() == [("B St", 1), ("A St", 2), ("D St", 3), ("C St", 4)]


def test_a_priority_given_to_a_new_address_moves_an_existing_one(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A St"))
    contact = Contact.objects.get()
    run, _ = import_rows(
        ["ID", "Street", "AddressPriorityOrder"],
        [contact.pk, "B St", "1"],
        [contact.pk, "A St", ""],
    )
    assert run.code == 0, run.out
    assert links() == [("B St", 1), ("A St", 2)]


def test_a_street_matching_an_existing_address_updates_it(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row(City="Albany"))
    contact = Contact.objects.get()
    run, report = import_rows(["ID", "Street", "City", "Unit"], [contact.pk, "1 main st", "", "4B"])
    assert run.code == 0 and report["contacts_updated"] == 1
    address = Address.objects.get()
    assert (address.street, address.city, address.unit) == ("1 main st", "Albany", "4B")


def test_assoc_id_updates_clear_clears_and_delete_removes(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row(City="Albany"), row("2 Elm St", City="Troy"))
    contact = Contact.objects.get()
    first, second = ContactAddress.objects.order_by("priority_order")
    run, _ = import_rows(
        ["ID", "AddressAssocID", "Street", "City"],
        [contact.pk, first.pk, "", "#clear"],
        [contact.pk, second.pk, "#delete", ""],
    )
    assert run.code == 0, run.out
    assert list(Address.objects.values_list("street", "city")) == [("1 Main St", "")]


def test_an_unknown_address_assoc_id_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    _run, report = import_rows(["ID", "AddressAssocID", "City"], [contact.pk, "77", "Troy"])
    assert errors_of(report) == ["AddressAssocID '77' is not one of this contact's addresses"]


def test_address_columns_without_a_street_are_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("", City="Albany"))
    assert errors_of(report) == ["Street is required to import an address"]


def test_deleting_a_contact_deletes_its_address_records(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row(City="Albany"))
    contact = Contact.objects.get()
    run, _ = import_rows(["ID", "LastName"], [contact.pk, "#delete"])
    assert run.code == 0
    assert not Address.objects.exists() and not ContactAddress.objects.exists()
