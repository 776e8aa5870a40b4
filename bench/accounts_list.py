"""Benchmark the staff accounts list (Logon IDs) and its search on a generated district.

    TUTELA_HOME=$(mktemp -d) .venv/bin/python bench/accounts_list.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \
        bench/accounts_list.py --students 100000

It migrates the database named by DATABASE_URL (or a fresh SQLite file in TUTELA_HOME), loads
the district in bulk (``tutela.sampledata.load``), gives the guardians their accounts with a
real AutoCreate run (not timed), then asks the accounts page as a district admin and as a
school admin, through Django's whole request path (middleware, scope, filter, table, template),
``--runs`` times per search, and prints the median and 95th percentile in milliseconds with the
machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep an existing populated database")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tutela.accounts.models import Account
    from tutela.core.audit import command_line_user
    from tutela.people.models import School, Student, StudentContact
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import execute_autocreate_job, record_autocreate_job
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district

    setup_test_environment()  # the test client's host name is allowed
    call_command("migrate", verbosity=0)
    figures: dict[str, object] = {
        "students": args.students,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    if not (args.keep and Student.objects.exists()):
        if Student.objects.exists():
            sys.exit("the database already holds students: use an empty one, or --keep")
        load_district(generate_district(args.students, seed=args.seed))
        actor = command_line_user()
        job = record_autocreate_job(selection=Selection(), actor=actor, simulate=False)
        execute_autocreate_job(job_id=job.pk, actor=actor)
    from django.db import connection

    figures["database"] = connection.vendor
    figures["parent_accounts"] = Account.objects.filter(contact__isnull=False).count()
    school = School.objects.order_by("pk").first()
    assert school is not None
    district_admin, _ = Account.objects.get_or_create(
        username="bench-district", defaults={"is_staff": True, "is_district_admin": True}
    )
    school_admin, _ = Account.objects.get_or_create(
        username="bench-school", defaults={"is_staff": True}
    )
    school_admin.schools.set([school])
    granted = StudentContact.objects.filter(
        student__school=school, contact__account__isnull=False
    ).select_related("student", "contact")
    sample = granted.order_by("pk")[len(granted) // 2]
    searches = {
        "first page": {},
        "student number": {"q": sample.student.student_number},
        "last name": {"q": sample.contact.last_name},
        "email part": {"q": sample.contact.account.email.split("@")[0][:6]},
        "never activated": {"state": "never-activated"},
        "sorted by contact, page 3": {"sort": "contact", "page": "3"},
    }
    for who, account in (("district admin", district_admin), ("school admin", school_admin)):
        client = Client()
        client.force_login(account)
        for name, query in searches.items():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                response = client.get("/staff/accounts/", query)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (who, name, response.status_code)
            times.sort()
            figures[f"{who}: {name}"] = {
                "found": response.context["table"].paginator.count,
                "median_ms": round(statistics.median(times)),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)]),
            }
    figures["load_average_after"] = os.getloadavg()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
