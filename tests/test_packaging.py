"""What `pip install .` installs: the wheel must carry migrations, data files and templates."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Packaging does not depend on the database: build the wheel once, in the SQLite run.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="database-independent; checked in the SQLite run",
)


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("tutela-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_the_wheel_carries_every_migration(wheel_names: set[str]) -> None:
    source = {
        str(path.relative_to(ROOT / "src"))
        for path in (ROOT / "src" / "tutela").glob("*/migrations/*.py")
    }
    assert source and source <= wheel_names


def test_the_wheel_carries_templates_static_and_data_files(wheel_names: set[str]) -> None:
    files = {
        str(path.relative_to(ROOT / "src"))
        for pattern in ("templates/**/*", "*/templates/**/*", "*/static/**/*", "sampledata/*")
        for path in (ROOT / "src" / "tutela").glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert "tutela/sampledata/grand_bend.json" in files
    assert "tutela/templates/tutela/base.html" in files
    assert files <= wheel_names
