"""``tutela letters``: the PDF and the CSV read back, the links they carry, the languages."""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from tests.cast import PASSWORD, Cast
from tests.conftest import Run
from tests.letters.helpers import ACTIVATION_LINK, pdf_pages, qr_codes
from tutela.accesscodes.models import AccessCode
from tutela.accounts.models import AccessToken, TokenPurpose
from tutela.core.audit import command_line_user
from tutela.people.services import set_preferred_language

pytestmark = pytest.mark.django_db

Tutela = Callable[..., Run]


def activate(link: str) -> int:
    """Choose a password through ``link``; the status of the answer (302: activated)."""
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = Client().post(
        "/" + path, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=False
    )
    return response.status_code


def test_an_activation_letter_holds_the_name_username_and_a_link_that_works_once(
    tutela: Tutela, cast: Cast, tmp_path: Path
) -> None:
    out = tmp_path / "letters.pdf"
    run = tutela("letters", "--output", str(out), "--kind", "activation", "--school", "10")
    assert run.code == 0, run.err
    assert "1 activation letter written" in run.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (page,) = pdf_pages(out)
    assert "Hana Hill" in page and "hana.hill" in page
    assert "Holly Hill" in page
    (link,) = set(ACTIVATION_LINK.findall(page))
    assert link not in run.out and link not in run.err
    assert qr_codes(out) == [link]
    assert activate(link) == 302
    cast.hana.refresh_from_db()
    assert cast.hana.check_password(PASSWORD)
    assert activate(link) != 302  # used: the link opens nothing a second time


def test_printing_again_voids_the_earlier_letters_but_not_an_emailed_link(
    tutela: Tutela, cast: Cast, tmp_path: Path
) -> None:
    emailed = AccessToken.objects.create(
        account=cast.hana,
        purpose=TokenPurpose.ACTIVATION,
        token_hash="0" * 64,
        expires_at="2999-01-01T00:00Z",
    )
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    assert tutela("letters", "--output", str(first), "--kind", "activation").code == 0
    run = tutela("letters", "--output", str(second), "--kind", "activation")
    assert "2 activation letters written" in run.out
    assert "2 earlier letter links voided" in run.out
    old = {link for page in pdf_pages(first) for link in ACTIVATION_LINK.findall(page)}
    new = {link for page in pdf_pages(second) for link in ACTIVATION_LINK.findall(page)}
    assert len(old) == len(new) == 2 and not old & new
    assert all(activate(link) != 302 for link in old)
    assert all(activate(link) == 302 for link in new)
    emailed.refresh_from_db()
    assert emailed.voided_at is not None  # spent once the parent chose a password, not before


def test_an_access_code_letter_s_qr_code_opens_registration_with_the_code(
    tutela: Tutela, cast: Cast, tmp_path: Path
) -> None:
    out = tmp_path / "codes.pdf"
    run = tutela("letters", "--output", str(out), "--kind", "access-code", "--school", "20")
    assert run.code == 0, run.err
    assert "1 student had no usable code: given one." in run.out
    code = AccessCode.objects.get(student=cast.lila, revoked_at__isnull=True).formatted
    (page,) = pdf_pages(out)
    assert "Lila Lake" in page and code in page
    assert code not in run.out
    (link,) = qr_codes(out)
    assert link == f"http://testserver/register/?code={code}" or link.endswith(
        f"/register/?code={code}"
    )
    form = Client().get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert form.status_code == 200
    assert f'value="{code}"'.encode() in form.content
    again = tmp_path / "again.pdf"
    assert tutela("letters", "--output", str(again), "--kind", "access-code", "--school", "20")
    assert code in pdf_pages(again)[0]  # a usable code is kept: earlier letters stay good


def test_spanish_letters_and_each_contact_s_own_language(
    tutela: Tutela, cast: Cast, tmp_path: Path
) -> None:
    spanish = tmp_path / "es.pdf"
    assert tutela("letters", "--output", str(spanish), "--kind", "activation", "--language", "es")
    assert all("Su nombre de usuario es" in page for page in pdf_pages(spanish))
    set_preferred_language(actor=command_line_user(), contact=cast.leo_contact, language="es")
    mixed = tmp_path / "mixed.pdf"
    run = tutela("letters", "--output", str(mixed), "--kind", "activation", "--language", "contact")
    assert run.code == 0, run.err
    by_parent = {("Hana" in page): page for page in pdf_pages(mixed)}
    assert "Your username is hana.hill" in by_parent[True]
    assert "Su nombre de usuario es leo@example.org" in by_parent[False]


def test_the_mail_merge_csv_has_the_letter_s_fields_and_no_formula(
    tutela: Tutela, cast: Cast, tmp_path: Path
) -> None:
    cast.hana_contact.first_name = "=HYPERLINK(1)"
    cast.hana_contact.save()
    out = tmp_path / "letters.csv"
    run = tutela("letters", "--output", str(out), "--kind", "activation", "--school", "10")
    assert run.code == 0, run.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["Contact_ID"] == str(cast.hana_contact.pk)
    assert row["Parent_Name"] == "'=HYPERLINK(1) Hill"
    assert row["Username"] == "hana.hill" and row["Language"] == "en"
    assert ACTIVATION_LINK.fullmatch(row["Activation_Link"])
    assert activate(row["Activation_Link"]) == 302


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "x.txt", "--kind", "activation"], "use a .pdf or .csv file name"),
        (["--kind", "activation", "--school", "99"], "--school 99: no school has this number"),
        (["--kind", "activation", "--section", "NOPE"], "--section NOPE: no section has this id"),
        (["--kind", "activation", "--autocreate-job", "77"], "--autocreate-job 77: no such run"),
        (["--kind", "access-code", "--grade", "12"], "no letters to print for"),
        (["--kind", "letter"], "invalid choice"),
    ],
)
def test_a_bad_request_exits_2_with_one_line_and_writes_nothing(
    tutela: Tutela, cast: Cast, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "letters.pdf"
    if "--output" in args:
        args[1] = str(tmp_path / args[1])
    else:
        args = ["--output", str(out), *args]
    run = tutela("letters", *args)
    assert run.code == 2
    assert message in run.err and "Traceback" not in run.err
    assert not list(tmp_path.iterdir())
    assert not AccessCode.objects.exists()  # the refused run issued nothing
