"""The staff search: one box across names, emails, phone digits, student numbers and names;
every match, paginated and sortable, within the reader's scope."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.search import Query
from tutela.people.services import add_phone, create_contact, link_student

pytestmark = pytest.mark.django_db


def search(account: Account, q: str, **params: str) -> str:
    client = Client()
    client.force_login(account)
    response = client.get(reverse("staff:search"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def contacts_listed(page: str) -> list[str]:
    """The contact names of the contacts table, in order."""
    return re.findall(r'<a href="/staff/contacts/\d+/">([^<]+)</a>', page)


@pytest.mark.parametrize(
    "typed", ["555-0101", "(555) 0101", "555.0101", "555 01 01", "5550101", "+555/0101"]
)
def test_a_phone_number_in_any_punctuation_finds_its_contact(cast: Cast, typed: str) -> None:
    assert contacts_listed(search(cast.dana, typed)) == ["Hill, Hana"]


def test_a_full_number_with_the_country_code_finds_a_number_stored_without(cast: Cast) -> None:
    add_phone(actor=command_line_user(), contact=cast.leo_contact, number="(200) 555-0199")
    for typed in ("+1 200 555 0199", "1-200-555-0199", "200.555.0199"):
        assert contacts_listed(search(cast.dana, typed)) == ["Lake, Leo"], typed


def test_a_student_number_finds_the_students_contacts_and_the_student(cast: Cast) -> None:
    page = search(cast.dana, "3001")
    assert contacts_listed(page) == ["Lake, Leo", "Unlinked, Una"]
    assert "1 student matches" in page and "Lake, Lila" in page


def test_a_students_name_finds_the_students_contacts(cast: Cast) -> None:
    page = search(cast.dana, "holly hill")
    assert contacts_listed(page) == ["Hill, Hana"]
    assert "Hill, Holly" in page and "Hugo" not in page.split("student matches")[1]


def test_every_word_must_match_a_name(cast: Cast) -> None:
    assert contacts_listed(search(cast.dana, "hana hill")) == ["Hill, Hana"]
    assert contacts_listed(search(cast.dana, "hana lake")) == []


def test_an_email_or_its_start_finds_its_contact(cast: Cast) -> None:
    assert contacts_listed(search(cast.dana, "LEO@EXAMPLE")) == ["Lake, Leo"]
    assert contacts_listed(search(cast.dana, "leo@example.org")) == ["Lake, Leo"]
    assert contacts_listed(search(cast.dana, "una@")) == ["Unlinked, Una"]


def test_names_match_from_their_start_in_any_case(cast: Cast) -> None:
    assert contacts_listed(search(cast.dana, "HIL")) == ["Hill, Hana"]
    assert contacts_listed(search(cast.dana, "han hil")) == ["Hill, Hana"]
    assert contacts_listed(search(cast.dana, "ill")) == []


def test_school_staff_find_nothing_of_another_schools_students(cast: Cast) -> None:
    for typed in ("2001", "Holly", "hana@example.org", "555-0101", "Hill"):
        page = search(cast.sam, typed)
        assert contacts_listed(page) == [], typed
        assert "0 contacts match" in page and "0 students match" in page, typed
        assert "Hillcrest" not in page and "hana.hill" not in page, typed
    assert contacts_listed(search(cast.sam, "3001")) == ["Lake, Leo", "Unlinked, Una"]


def test_many_matches_are_paged_and_counted_never_cut(cast: Cast) -> None:
    for n in range(30):
        smith = create_contact(
            actor=command_line_user(), first_name=f"Al{n:02d}", last_name="Smith"
        )
        link_student(actor=command_line_user(), contact=smith, student=cast.lila)
    first = search(cast.dana, "smith")
    assert "30 contacts match" in first
    assert len(contacts_listed(first)) == 25
    second = search(cast.dana, "smith", **{"c-page": "2"})
    assert contacts_listed(second) == [f"Smith, Al{n}" for n in range(25, 30)]
    assert 'aria-label="Page 1"' in second


def test_results_sort_by_a_column(cast: Cast) -> None:
    ascending = contacts_listed(search(cast.dana, "3001", **{"c-sort": "name"}))
    descending = contacts_listed(search(cast.dana, "3001", **{"c-sort": "-name"}))
    assert ascending == ["Lake, Leo", "Unlinked, Una"]
    assert descending == list(reversed(ascending))
    assert 'aria-sort="descending"' in search(cast.dana, "x", **{"c-sort": "-name"})


def test_an_empty_search_lists_nothing(cast: Cast) -> None:
    page = search(cast.dana, "   ")
    assert contacts_listed(page) == [] and "match" not in page


def test_the_searchs_old_address_sends_the_query_on(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.dana)
    response = client.get("/staff/contacts/?q=Hill")
    assert response.status_code == 302 and response["Location"] == "/staff/search/?q=Hill"


def test_a_query_is_read_every_way_it_could_mean() -> None:
    assert Query.parse("(555) 010-1234").phone_digits == ("5550101234",)
    assert Query.parse("+1 555 010 1234").phone_digits == ("15550101234", "5550101234")
    assert Query.parse("555").phone_digits == ()  # too few digits to mean a phone
    assert Query.parse("hana hill").phone_digits == ()
    assert Query.parse("hana hill").token == "" and Query.parse(" hana ").token == "hana"
