from tutela.core.wording import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
