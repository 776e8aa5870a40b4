"""constraints.txt pins every package `make install` asks for: CI gets exactly what was tested."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_every_dependency_and_dev_tool_has_an_exact_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = {canonicalize_name(Requirement(text).name) for text in wanted}
    pins = _pins()
    assert sorted(names - pins.keys()) == []
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", version) for version in pins.values())


def test_make_installs_with_the_pins_and_again_when_they_change() -> None:
    makefile = (ROOT / "Makefile").read_text()
    stamp_rule = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.MULTILINE)
    assert stamp_rule is not None and "constraints.txt" in stamp_rule.group(1).split()
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
