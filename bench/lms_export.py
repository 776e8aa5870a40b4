"""Benchmark the bulk OneRoster export on a generated district: time and peak memory.

    TUTELA_HOME=/tmp/lms-bench .venv/bin/python bench/lms_export.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \\
        bench/lms_export.py --students 100000

It migrates the database named by DATABASE_URL (or the SQLite file in TUTELA_HOME), loads the
district in bulk (``tutela.sampledata``) unless it is already there, gives an enabled portal
account to every contact with an email, and puts the students in class sections of 25 with a
teacher each. Then it runs ``tutela export oneroster --output FILE`` twice in a child process
(the first gives out every sourcedId, the second is the nightly case) and prints each run's
time and the child's peak resident memory, the rows of each file, and the machine's load
average. The target: under 30 s with memory flat (it must not grow with the district).
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

TEACHER_PREFIX = "bench.teacher."
SECTION_SIZE = 25


def prepare(students: int, seed: int) -> dict[str, object]:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from tutela.accounts.models import Account
    from tutela.people.models import Contact, Student
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district
    from tutela.sections.models import Section

    call_command("migrate", verbosity=0)
    figures: dict[str, object] = {}
    if not Student.objects.exists():
        start = time.perf_counter()
        load_district(generate_district(students, seed=seed))
        figures["load_seconds"] = round(time.perf_counter() - start, 1)
    if not Account.objects.filter(contact__isnull=False).exists():
        unusable = make_password(None)
        rows = Contact.objects.filter(emails__is_primary=True).values_list("pk", "emails__address")
        taken: set[str] = set()
        accounts: list[Account] = []
        given: set[int] = set()
        for pk, address in rows.iterator(chunk_size=5000):
            if pk in given:
                continue
            given.add(pk)
            if address.lower() in taken:  # account emails are unique: a shared one stays out
                address = ""
            taken.add(address.lower())
            accounts.append(
                Account(username=f"parent{pk}", email=address, contact_id=pk, password=unusable)
            )
        Account.objects.bulk_create(accounts, batch_size=2000)
    if not Section.objects.exists():
        unusable = make_password(None)
        groups: list[tuple[str, int, list[int]]] = []
        schools = Student.objects.order_by().values_list("school_id", flat=True).distinct()
        for school_id in sorted(schools):
            ids = list(
                Student.objects.filter(school_id=school_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), SECTION_SIZE):
                number = f"{school_id}-{start // SECTION_SIZE + 1}"
                groups.append((number, school_id, ids[start : start + SECTION_SIZE]))
        Section.objects.bulk_create(
            [Section(section_id=n, school_id=s, name=f"Homeroom {n}") for n, s, _ in groups],
            batch_size=2000,
        )
        Account.objects.bulk_create(
            [
                Account(username=f"{TEACHER_PREFIX}{n}", is_staff=True, password=unusable)
                for n, _, _ in groups
            ],
            batch_size=2000,
        )
        sections = dict(Section.objects.values_list("section_id", "pk"))
        teachers = dict(
            Account.objects.filter(username__startswith=TEACHER_PREFIX).values_list(
                "username", "pk"
            )
        )
        Section.teachers.through.objects.bulk_create(
            [
                Section.teachers.through(
                    section_id=sections[n], account_id=teachers[f"{TEACHER_PREFIX}{n}"]
                )
                for n, _, _ in groups
            ],
            batch_size=5000,
        )
        Section.students.through.objects.bulk_create(
            [
                Section.students.through(section_id=sections[n], student_id=pk)
                for n, _, ids in groups
                for pk in ids
            ],
            batch_size=5000,
        )
    figures["parent_accounts"] = Account.objects.filter(contact__isnull=False).count()
    figures["sections"] = Section.objects.count()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.db import connection

    figures: dict[str, object] = {"database": connection.vendor, "students": args.students}
    figures |= prepare(args.students, args.seed)
    connection.close()
    tutela = str(Path(sys.executable).with_name("tutela"))
    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "oneroster.zip"
        for run in ("first", "again"):
            seconds, peak, out = run_measured(
                [tutela, "export", "oneroster", "--output", str(output)]
            )
            figures[f"{run}_seconds"] = round(seconds, 1)
            figures[f"{run}_peak_mib"] = round(peak)
            figures["summary"] = out.strip()
        figures["zip_mb"] = round(output.stat().st_size / 1_000_000, 1)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
