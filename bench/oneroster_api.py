"""Benchmark the OneRoster 1.2 API on a generated district: a users page of 1,000, and a
client walking every users page.

    TUTELA_HOME=/tmp/or-bench .venv/bin/python bench/oneroster_api.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \\
        bench/oneroster_api.py --students 100000 --walk

It prepares the district as ``bench/lms_export.py`` does (the generated district, an enabled
portal account for every contact with an email, class sections of 25 with a teacher each; not
timed), adds a client, takes a token at ``POST /oauth/token`` and asks
``GET /ims/oneroster/rostering/v1p2/users?limit=1000`` through Django's whole request path: the
first time (which gives out every sourcedId) and then ``--runs`` times, printing the median,
the slowest, the queries of one page and, with ``--walk``, the time to walk every page. The
targets: a page under 300 ms, the walk under 60 s, the same number of queries on every page.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGE = 1_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--rebuilds", type=int, default=1, help="pages timed with the listing to rebuild"
    )
    parser.add_argument("--walk", action="store_true", help="also walk every users page")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lms_export import prepare
    from tutela.core.audit import command_line_user
    from tutela.rostering.clients import add_client
    from tutela.rostering.models import UserListing

    figures: dict[str, object] = {"database": connection.vendor, "students": args.students}
    figures |= prepare(args.students, args.seed)
    made = add_client(actor=command_line_user(), name="bench")
    pair = base64.b64encode(f"{made.client_id}:{made.client_secret}".encode()).decode()
    web = Client()
    answer = web.post(
        "/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {pair}"
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['access_token']}"}
    url = "/ims/oneroster/rostering/v1p2/users"
    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]

    def page(offset: int) -> tuple[float, int, int]:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = web.get(url, {"limit": PAGE, "offset": offset}, **bearer)
        assert response.status_code == 200, response.content[:300]
        return time.perf_counter() - start, len(queries), int(response["X-Total-Count"])

    first, first_queries, total = page(0)
    figures["first_page_seconds"] = round(first, 2)
    figures["first_page_queries"] = first_queries
    figures["users"] = total
    rebuilds, rebuild_queries = [], set()
    for _ in range(args.rebuilds):
        # What any change that could add someone does: the stored marker is no longer current.
        UserListing.objects.update(marker="")
        seconds, queries, _ = page(0)
        rebuilds.append(seconds)
        rebuild_queries.add(queries)
    if rebuilds:
        figures["rebuild_page_median_seconds"] = round(statistics.median(rebuilds), 2)
        figures["rebuild_page_queries"] = sorted(rebuild_queries)
    times, counts = [], set()
    for run in range(args.runs):
        seconds, queries, _ = page(PAGE * (run + 1))
        times.append(seconds)
        counts.add(queries)
    figures["page_median_seconds"] = round(statistics.median(times), 3)
    figures["page_slowest_seconds"] = round(max(times), 3)
    figures["queries_per_page"] = sorted(counts)
    if args.walk:
        start = time.perf_counter()
        walked, walk_counts = [], set()
        for offset in range(0, total, PAGE):
            seconds, queries, _ = page(offset)
            walked.append(seconds)
            walk_counts.add(queries)
        figures["walk_seconds"] = round(time.perf_counter() - start, 1)
        figures["walk_pages"] = len(walked)
        figures["walk_page_median_seconds"] = round(statistics.median(walked), 3)
        figures["walk_slowest_page_seconds"] = round(max(walked), 3)
        figures["walk_queries_per_page"] = sorted(walk_counts)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
