from collections.abc import Callable

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tutela.core.audit import command_line_user
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.models import Code, CodeType
from tutela.people.services import ServiceError, add_code

pytestmark = pytest.mark.django_db


def test_the_default_code_sets_are_shipped() -> None:
    def codes(kind: CodeType) -> list[str]:
        return list(Code.objects.filter(code_type=kind).values_list("code", flat=True))

    assert codes(CodeType.GENDER) == ["M", "F", "X"]
    assert codes(CodeType.PREFIX) == ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"]
    assert codes(CodeType.SUFFIX) == ["Jr", "Sr", "II", "III", "IV"]
    assert codes(CodeType.EMAIL_TYPE) == ["Home", "Work", "Other"]
    assert codes(CodeType.PHONE_TYPE) == ["Home", "Mobile", "Work", "Other"]
    assert codes(CodeType.ADDRESS_TYPE) == ["Home", "Mailing", "Work", "Other"]
    assert len(codes(CodeType.RELATIONSHIP_TYPE)) == 12
    assert "Foster Parent" in codes(CodeType.RELATIONSHIP_TYPE)
    assert codes(CodeType.COUNTRY) == ["US"]
    states = Code.objects.filter(code_type=CodeType.STATE)
    assert states.count() == 56
    assert {code_of(s.parent) for s in states.select_related("parent")} == {"US"}


def test_codes_match_ignoring_case_and_come_back_spelled_as_in_the_set() -> None:
    book = CodeBook.load()
    assert book.match(CodeType.RELATIONSHIP_TYPE, "foster parent").code == "Foster Parent"
    assert book.match(CodeType.GENDER, " f ").code == "F"


def test_an_unknown_code_is_an_error() -> None:
    with pytest.raises(CodeProblem, match="not a Gender code"):
        CodeBook.load().match(CodeType.GENDER, "Q")


def test_states_match_bare_or_qualified_until_the_code_is_ambiguous() -> None:
    assert CodeBook.load().match(CodeType.STATE, "ny").qualified_code == "US_NY"
    assert CodeBook.load().match(CodeType.STATE, "us_ny").qualified_code == "US_NY"
    add_code(actor=command_line_user(), code_type="Country", code="BR")
    add_code(actor=command_line_user(), code_type="State", code="PR", parent="BR")
    book = CodeBook.load()
    with pytest.raises(CodeProblem, match="several countries"):
        book.match(CodeType.STATE, "PR")
    assert book.match(CodeType.STATE, "BR_PR").qualified_code == "BR_PR"
    assert book.match(CodeType.STATE, "US_PR").qualified_code == "US_PR"


def test_a_code_cannot_be_added_twice_in_another_case() -> None:
    with pytest.raises(ServiceError, match="already has the code 'Mother'"):
        add_code(actor=command_line_user(), code_type="RelationshipType", code="MOTHER")


def test_a_state_needs_a_known_country() -> None:
    with pytest.raises(ServiceError, match="needs --parent"):
        add_code(actor=command_line_user(), code_type="State", code="ON")
    with pytest.raises(ServiceError, match="not a Country code"):
        add_code(actor=command_line_user(), code_type="State", code="ON", parent="CA")


def test_codesets_command_lists_and_adds(tutela: Callable[..., Run]) -> None:
    added = tutela("codesets", "add", "relationshiptype", "Godparent", "--name", "God parent")
    assert added.code == 0, added.err
    listed = tutela("codesets", "list", "RelationshipType")
    assert "RelationshipType\tGodparent\tGod parent" in listed.out.splitlines()
    assert "Gender" not in listed.out
    assert "State\tUS_NY\tNY" in tutela("codesets", "list").out.splitlines()


def test_codesets_command_errors_exit_2_with_one_line(tutela: Callable[..., Run]) -> None:
    run = tutela("codesets", "add", "Shoe", "9")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "unknown code set 'Shoe'" in run.err


def test_a_code_or_name_too_long_is_refused_with_one_line(tutela: Callable[..., Run]) -> None:
    run = tutela("codesets", "add", "Gender", "Q" * 65)
    assert run.code == 2 and run.err == "tutela: a code is at most 64 characters, not 65\n"
    run = tutela("codesets", "add", "Gender", "Q", "--name", "n" * 201)
    assert run.code == 2
    assert run.err == "tutela: a display name is at most 200 characters, not 201\n"
    assert not Code.objects.filter(code_type=CodeType.GENDER, code="Q").exists()
