"""Email syntax: the fast pattern never accepts what email-validator would refuse."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from tutela.core.emails import email_problem, plainly_valid

ORDINARY = ["ann.lee@example.org", "o'brien+school@mail.district.k12.us", "x_1@a-b.co"]
UNUSUAL = [
    "parent@school.local",  # special-use domains are refused by the library
    "parent@example.test",
    "parent@localhost",
    "a@b",
    "two@@example.org",
    "dot.@example.org",
    "josé@example.org",  # valid, but only the library knows
    "a" * 65 + "@example.org",
]


@pytest.mark.parametrize("address", ORDINARY)
def test_ordinary_addresses_take_the_fast_path(address: str) -> None:
    assert plainly_valid(address)
    assert email_problem(address) is None
    assert email_problem(address.upper()) is None


@pytest.mark.parametrize("address", UNUSUAL)
def test_anything_unusual_gets_the_library_answer(address: str) -> None:
    assert not plainly_valid(address)
    try:
        validate_email(address, check_deliverability=False)
        expected = None
    except EmailNotValidError as error:
        expected = str(error)
    assert email_problem(address) == expected


def test_special_use_domains_are_problems() -> None:
    problem = email_problem("parent@school.local")
    assert problem is not None and "special-use" in problem.lower()
