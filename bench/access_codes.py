"""Benchmark access codes on a generated district: ``tutela codes generate`` for the whole
district (twice: issuing, then replacing every code) and ``tutela codes export``.

    TUTELA_HOME=$(mktemp -d) .venv/bin/python bench/access_codes.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \\
        bench/access_codes.py --students 1000000

It migrates the database named by DATABASE_URL (or the SQLite file in TUTELA_HOME) and loads
the district in bulk (``tutela.sampledata``) unless it holds students already, then runs each
command in a child process of its own and prints its time and that child's peak resident
memory (``wait4``), the export's rows and size, and the machine's load average. The targets:
seconds, not minutes, for 100,000 students; within 1 GiB for 1,000,000 (issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from memory import run_measured


def loaded_district(students: int, seed: int) -> dict[str, object]:
    """Django set up, the database migrated and holding a district (loaded unless it holds
    students already); the figures of that."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tutela.people.models import Student
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district

    call_command("migrate", verbosity=0)
    figures: dict[str, object] = {"database": connection.vendor}
    if not Student.objects.exists():
        start = time.perf_counter()
        load_district(generate_district(students, seed=seed))
        figures["load_seconds"] = round(time.perf_counter() - start, 1)
    figures["students"] = Student.objects.count()
    connection.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    figures = loaded_district(args.students, args.seed)
    tutela = str(Path(sys.executable).with_name("tutela"))
    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "codes.csv"
        runs = {
            "generate": ["codes", "generate"],
            "generate_again": ["codes", "generate"],
            "export": ["codes", "export", "--output", str(output)],
        }
        for name, command in runs.items():
            seconds, peak, out = run_measured([tutela, *command])
            figures[f"{name}_seconds"] = round(seconds, 1)
            figures[f"{name}_peak_mib"] = round(peak)
            figures[f"{name}_said"] = out.strip()
        with output.open(encoding="utf-8") as handle:
            figures["export_rows"] = sum(1 for _ in handle) - 1
        figures["export_mb"] = round(output.stat().st_size / 1_000_000, 1)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
