"""Benchmark the duplicate contacts search on a generated district with planted duplicates.

    TUTELA_HOME=/tmp/dups-bench .venv/bin/python bench/duplicates.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \\
        bench/duplicates.py --students 100000

It migrates the database named by DATABASE_URL (or the SQLite file in TUTELA_HOME) and loads
the district in bulk (``tutela.sampledata``, ``--duplicates`` guardians entered a second time,
each sharing one kind of evidence with the original: an email, a phone and last name, a home
address, a state contact ID); the database must hold nothing else, since the planted pairs are
found by the order the contacts were created in. It then runs the district-wide search
(``find_duplicates``, as ``tutela duplicates find`` does) and prints its time, the machine's
load average, recall (planted pairs found, overall and per kind) and precision (listed pairs
that are planted ones). The target: under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--duplicates", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tutela.core.audit import command_line_user
    from tutela.people.duplicates import find_duplicates
    from tutela.people.models import Contact, Student
    from tutela.sampledata.district import generate_district
    from tutela.sampledata.load import load_district

    call_command("migrate", verbosity=0)
    district = generate_district(args.students, seed=args.seed, duplicates=args.duplicates)
    figures: dict[str, object] = {"database": connection.vendor, "students": args.students}
    if not Student.objects.exists():
        start = time.perf_counter()
        load_district(district)
        figures["load_seconds"] = round(time.perf_counter() - start, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    guardians = [g for family in district.families for g in family.guardians]
    ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(guardians), "the database holds more than the generated district"
    contact_of = {g.key: pk for g, pk in zip(guardians, ids, strict=True)}
    planted = {
        tuple(sorted((contact_of[g.duplicate_of], contact_of[g.key]))): g.planted_by
        for g in guardians
        if g.duplicate_of
    }
    figures["contacts"] = len(ids)
    figures["planted"] = len(planted)

    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    start, used = time.perf_counter(), time.process_time()
    pairs = find_duplicates(actor=command_line_user())
    figures["search_seconds"] = round(time.perf_counter() - start, 2)
    figures["search_cpu_seconds"] = round(time.process_time() - used, 2)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]

    listed = {(p.a, p.b) for p in pairs}
    found = listed & planted.keys()
    figures["pairs_listed"] = len(listed)
    figures["planted_found"] = len(found)
    figures["recall"] = round(len(found) / len(planted), 4) if planted else None
    figures["precision"] = round(len(found) / len(listed), 4) if listed else None
    kinds = sorted(set(planted.values()))
    figures["recall_by_kind"] = {
        kind: round(
            sum(1 for pair in found if planted[pair] == kind)
            / sum(1 for k in planted.values() if k == kind),
            4,
        )
        for kind in kinds
    }
    wrong = [p for p in pairs if (p.a, p.b) not in planted][:5]
    figures["wrong_pairs_sample"] = [p.as_json() for p in wrong]
    missed = [pair for pair in planted if pair not in listed][:5]
    figures["missed_sample"] = [{"a": a, "b": b, "kind": planted[(a, b)]} for a, b in missed]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
