"""Benchmark printing letters home: 1,000 access-code letters and a school's activation letters.

    TUTELA_HOME=$(mktemp -d) .venv/bin/python bench/letters.py --letters 1000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench TUTELA_HOME=$(mktemp -d) \
        .venv/bin/python bench/letters.py --letters 1000

It migrates the database named by DATABASE_URL (or a fresh SQLite file in TUTELA_HOME), loads a
generated district of ``--letters`` students in bulk (``tutela.sampledata.load``), and times
``tutela letters`` as the command runs it (preparing the letters, then WeasyPrint's PDF, written
to a file): access-code letters for every student (one letter each, codes issued first), then
activation letters for every parent awaiting activation after an AutoCreate run. The target:
1,000 letters in under 60 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000, help="students in the district")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--kind",
        choices=("access-code", "activation"),
        action="append",
        help="which letters to time (repeatable; default: both)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tutela.core.audit import command_line_user
    from tutela.core.private import write_private_bytes
    from tutela.letters.printing import print_letters
    from tutela.letters.services import LetterRequest
    from tutela.people.models import Student
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import execute_autocreate_job, record_autocreate_job
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district

    call_command("migrate", verbosity=0)
    if Student.objects.exists():
        sys.exit("the database already holds students: use an empty one")
    load_district(generate_district(args.letters, seed=args.seed))
    actor = command_line_user()
    job = record_autocreate_job(selection=Selection(), actor=actor, simulate=False)
    execute_autocreate_job(job_id=job.pk, actor=actor)
    print("district loaded, accounts created; printing", file=sys.stderr, flush=True)
    figures: dict[str, object] = {
        "database": connection.vendor,
        "students": args.letters,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }
    folder = Path(tempfile.mkdtemp())
    for kind in args.kind or ("access-code", "activation"):
        output = folder / f"{kind}.pdf"
        start, cpu = time.perf_counter(), time.process_time()
        run = print_letters(
            actor=actor,
            request=LetterRequest(kind=kind, language="contact"),
            output="pdf",
            keep=lambda data, path=output: write_private_bytes(path, data),
        )
        seconds = time.perf_counter() - start
        figures[f"{kind}_letters"] = len(run.letters)
        figures[f"{kind}_seconds"] = round(seconds, 1)
        figures[f"{kind}_cpu_seconds"] = round(time.process_time() - cpu, 1)
        figures[f"{kind}_seconds_per_1000"] = round(seconds * 1000 / max(1, len(run.letters)), 1)
        figures[f"{kind}_pdf_bytes"] = output.stat().st_size
        print(f"{kind}: {len(run.letters)} letters, {seconds:.1f} s", file=sys.stderr, flush=True)
    figures["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
