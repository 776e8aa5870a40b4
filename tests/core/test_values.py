import datetime

import pytest

from tutela.core.values import ValueProblem, format_date, parse_bool, parse_date, quoted


@pytest.mark.parametrize("word", ["1", "true", "T", "Yes", "y", " TRUE "])
def test_it_reads_every_true_word_in_any_case(word: str) -> None:
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", ["0", "false", "F", "NO", "n"])
def test_it_reads_every_false_word_in_any_case(word: str) -> None:
    assert parse_bool(word) is False


@pytest.mark.parametrize("word", ["2", "yep", "on", "", "-1"])
def test_it_rejects_anything_else_as_a_boolean(word: str) -> None:
    with pytest.raises(ValueProblem, match="not a yes/no value"):
        parse_bool(word)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/2/2024", datetime.date(2024, 1, 2)),
        ("01/02/2024", datetime.date(2024, 1, 2)),
        ("12/31/99", datetime.date(1999, 12, 31)),
        ("3/4/24", datetime.date(2024, 3, 4)),
        ("2/29/2024", datetime.date(2024, 2, 29)),
    ],
)
def test_it_reads_us_dates_with_four_or_two_digit_years(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-01-02", "1/2", "13/1/2024", "02/30/2024", "1/2/202", "x"])
def test_it_rejects_other_date_forms_and_impossible_dates(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_date(text)


def test_dates_leave_as_iso() -> None:
    assert format_date(datetime.date(2024, 5, 6)) == "2024-05-06"
    assert format_date(None) is None


def test_a_value_is_quoted_whole_up_to_sixty_characters_and_cut_short_beyond() -> None:
    assert quoted("Lee") == "'Lee'"
    assert quoted("x" * 60) == repr("x" * 60)
    assert quoted("x" * 61) == repr("x" * 59 + "…")
