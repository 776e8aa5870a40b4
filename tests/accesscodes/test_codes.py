import re

from hypothesis import given
from hypothesis import strategies as st

from tutela.accesscodes.codes import ALPHABET, BITS, format_code, new_code, normalise_entry

FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_the_alphabet_is_crockford_base_32_without_look_alike_letters() -> None:
    assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert BITS == 12 * 5 == 60


def test_a_new_code_is_written_xxxx_xxxx_xxxx_over_the_alphabet() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 60 bits: no repeats in a small sample
    for code in codes:
        assert len(code) == 12 and set(code) <= set(ALPHABET)
        assert FORMAT.match(format_code(code))
    # every symbol turns up: the draw covers the whole alphabet
    assert set("".join(codes)) == set(ALPHABET)


def test_entry_ignores_case_dashes_and_spaces_and_reads_look_alikes_as_digits() -> None:
    assert normalise_entry("abcd-2345-wxyz") == "ABCD2345WXYZ"
    assert normalise_entry(" ABCD 2345 WXYZ ") == "ABCD2345WXYZ"
    assert normalise_entry("o0Ol-iI11-ABCD") == "00011111ABCD"
    assert normalise_entry("abcd2345wxyz") == "ABCD2345WXYZ"


def test_entry_that_cannot_be_a_code_is_refused() -> None:
    assert normalise_entry("") is None
    assert normalise_entry("ABCD-2345-WXY") is None  # too short
    assert normalise_entry("ABCD-2345-WXYZ-1") is None  # too long
    assert normalise_entry("ABCD-2345-WXYU") is None  # U is not in the alphabet
    assert normalise_entry("ABCD-2345-WXY!") is None


@given(st.lists(st.sampled_from(ALPHABET), min_size=12, max_size=12))
def test_any_code_survives_being_written_down_in_lower_case(symbols: list[str]) -> None:
    code = "".join(symbols)
    assert normalise_entry(format_code(code).lower()) == code
