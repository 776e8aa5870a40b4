import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tutela.core.private import open_private, write_private


def test_a_secret_file_is_private_from_the_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No chmod after the fact: the file must be created with mode 600.
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    previous = os.umask(0o022)
    try:
        write_private(tmp_path / "secret", "s3cret\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert (tmp_path / "secret").read_text() == "s3cret\n"


def test_rewriting_a_readable_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "new"


def test_the_data_folder_and_every_file_in_it_are_private(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTELA_", "DATABASE_URL"))}
    env.update(TUTELA_HOME=str(home), SECRET_KEY="")
    tutela = Path(sys.executable).with_name("tutela")
    for args in (["migrate", "-v0"], ["codes", "export", "--output", str(home / "codes.csv")]):
        done = subprocess.run(
            [str(tutela), *args], capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [path for path in home.rglob("*") if path.is_file()]
    assert {"tutela.sqlite3", "secret_key", "queue.sqlite3", "codes.csv"} <= {p.name for p in files}
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {
        p.name: "0o600" for p in files
    }


def test_open_private_writes_text_with_mode_600(tmp_path: Path) -> None:
    with open_private(tmp_path / "report.csv", newline="") as handle:
        handle.write("a,b\r\n")
    assert stat.S_IMODE((tmp_path / "report.csv").stat().st_mode) == 0o600
    assert (tmp_path / "report.csv").read_bytes() == b"a,b\r\n"
