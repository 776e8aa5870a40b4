"""Benchmark the Schoology-style pair: ``tutela import parents``, then ``associations``.

    python bench/parent_imports.py --parents 20000
    python bench/parent_imports.py --parents 20000 --database postgresql

A fresh database (a new SQLite file under ``--work``, or the PostgreSQL database
``tutela_bench``, dropped and re-created) gets one student per parent through the students
import. Then, each timed as the ``tutela`` command: the parents file with every row new
(contact, email, account, school through ``--school-map``), the same file again (every row
checked, none changed), the association file with ``--clear-for-students`` (every link new),
and that file again (every link checked, every student's other contacts looked at, none
cleared). Prints each run's wall time, rows per second and the load average.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/tutela_bench"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def files(parents: int, folder: Path) -> tuple[Path, Path, Path]:
    students = [["Student_Number", "First_Name", "Last_Name", "SchoolID"]]
    people = [["First Name", "Last Name", "Unique ID", "Username", "Email", "School", "Role"]]
    pairs = [["Parent Unique ID", "Student Number"]]
    for n in range(parents):
        school = str(100 + n % 20)
        students.append([f"S{n:07d}", "Kid", f"Family{n}", school])
        people.append(
            [
                "Pat",
                f"Family{n}",
                f"P-{n:07d}",
                f"pat.{n}",
                f"pat.{n}@example.org",
                f"School {school}",
                "Guardian" if n % 3 == 0 else "Parent",
            ]
        )
        pairs.append([f"P-{n:07d}", f"S{n:07d}"])
    return (
        write(folder / "students.csv", students),
        write(folder / "parents.csv", people),
        write(folder / "associations.csv", pairs),
    )


def fresh_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed(env: dict[str, str], *args: str) -> float:
    tutela = str(Path(sys.executable).with_name("tutela"))
    start = time.perf_counter()
    run = subprocess.run([tutela, *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"tutela {' '.join(args)}: exit {run.returncode}\n{run.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=20000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tutela-bench")
    args = parser.parse_args()
    folder = args.work / f"parents-{args.parents}"
    folder.mkdir(parents=True, exist_ok=True)
    students, people, pairs = files(args.parents, folder)
    env = {**os.environ, "TUTELA_HOME": str(folder / "home")}
    Path(env["TUTELA_HOME"]).mkdir(exist_ok=True)
    if args.database == "postgresql":
        fresh_postgres(args.pg_url)
        env["DATABASE_URL"] = args.pg_url
    else:
        (Path(env["TUTELA_HOME"]) / "tutela.sqlite3").unlink(missing_ok=True)
        env.pop("DATABASE_URL", None)
    timed(env, "migrate", "-v0")
    timed(env, "import", "students", str(students))
    mapping = [f"School {100 + i}={100 + i}" for i in range(20)]
    steps = [
        ("parents, all new", ["parents", str(people), "--school-column", "--school-map", *mapping]),
        (
            "parents, unchanged",
            ["parents", str(people), "--school-column", "--school-map", *mapping],
        ),
        ("associations, all new", ["associations", str(pairs), "--clear-for-students"]),
        ("associations, unchanged", ["associations", str(pairs), "--clear-for-students"]),
    ]
    print(f"{args.parents} rows, {args.database}, load average {os.getloadavg()[0]:.1f}")
    # What every run pays before it reads a row: the command starting and Django's set-up.
    print(f"{'start-up (tutela check)':>24}: {timed(env, 'check'):6.1f} s")
    for name, step in steps:
        took = timed(env, "import", *step, "--json")
        print(f"{name:>24}: {took:6.1f} s  {args.parents / took:8.0f} rows/s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
