"""Benchmark AutoCreate on a generated district: simulation, then the real run.

    TUTELA_HOME=$(mktemp -d) .venv/bin/python bench/autocreate.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \
        bench/autocreate.py --students 100000

It migrates the database named by DATABASE_URL (or a fresh SQLite file in TUTELA_HOME), loads
the district in bulk (``tutela.sampledata.load``), and times each AutoCreate phase, with the
process's peak resident memory during it (``VmHWM``, reset as the phase starts). The targets:
simulation and real run each under 60 seconds for 100,000 students (issue 5), and each within
1 GiB for 1,000,000 (issue 22). For a large district, load it once in another process and
measure with ``--keep`` (the load's own memory is not AutoCreate's).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from typing import Any

from memory import peak_memory_mib, reset_peak_memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep an existing populated database")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tutela.accounts.models import Account
    from tutela.core.audit import command_line_user
    from tutela.people.models import Student
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import execute_autocreate_job, record_autocreate_job
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district

    call_command("migrate", verbosity=0)
    figures: dict[str, object] = {
        "database": connection.vendor,
        "students": args.students,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }
    if not (args.keep and Student.objects.exists()):
        if Student.objects.exists():
            sys.exit("the database already holds students: use an empty one, or --keep")
        start = time.perf_counter()
        counts = load_district(generate_district(args.students, seed=args.seed))
        figures["load_seconds"] = round(time.perf_counter() - start, 1)
        figures.update(counts)

    def timed(name: str, simulate: bool) -> Any:
        """A whole job, as the command line and the queue run it (report saved included).

        Wall-clock seconds, and this process's CPU seconds: on a shared machine the two
        differ by however much CPU other work took meanwhile.
        """
        reset_peak_memory()
        start, cpu = time.perf_counter(), time.process_time()
        actor = command_line_user()
        job = record_autocreate_job(selection=Selection(), actor=actor, simulate=simulate)
        report = execute_autocreate_job(job_id=job.pk, actor=actor)
        figures[f"{name}_seconds"] = round(time.perf_counter() - start, 1)
        figures[f"{name}_cpu_seconds"] = round(time.process_time() - cpu, 1)
        figures[f"{name}_peak_mib"] = round(peak_memory_mib())
        return report

    simulated = fingerprint(timed("simulate", True))
    created_before = Account.objects.count()
    real = timed("run", False)
    figures["accounts_created"] = Account.objects.count() - created_before
    figures["report_equal"] = simulated == fingerprint(real)
    figures["totals"] = real.totals()
    del real
    again = timed("rerun_simulate", True)
    figures["rerun_totals"] = again.totals()
    figures["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(figures, indent=2))


class _Digest:
    """A text file that keeps only the SHA-256 of what is written to it."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, text: str) -> int:
        self.hash.update(text.encode("utf-8"))
        return len(text)


def fingerprint(report: Any) -> tuple[object, ...]:
    """What two reports must share to be the same plan, without holding either one's lines:
    the totals, the duplicate candidates and a digest of the plan CSV (every line's fields)."""
    digest = _Digest()
    report.write_csv(digest)
    return report.totals(), [d.as_json() for d in report.duplicates], digest.hash.hexdigest()


if __name__ == "__main__":
    main()
