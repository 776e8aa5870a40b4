"""`.ci/run`: the README's test command, with nothing allowed to skip."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readmes_test_command_as_ci_so_postgresql_cannot_be_skipped() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    # Run the script up to (not including) `make test` and print what CI would see.
    prefix = script.split("make test")[0] + 'echo "CI=${CI:-}"\n'
    shown = subprocess.run(
        ["bash", "-c", prefix, str(ROOT / ".ci" / "run")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert shown.stdout.strip() == "CI=true", shown.stderr
