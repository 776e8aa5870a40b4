"""``kill -9`` in the middle of a job, for real: a contacts import, an AutoCreate run and a code
reset are killed while their rows are being written. The database is then exactly as before
(every table, every index), the job's record says running until its heartbeat is stale, and
the upkeep then marks it failed with the reason.

Each job is caught mid-run by polling its live state (its heartbeat and progress) in the
queue's store, never by sleeping a fixed time.
"""

from __future__ import annotations

from typing import Any

from tests.jobs.conftest import District


def killed_mid_run(
    district: District, args: tuple[str, ...], table: str, label: str, reached: Any
) -> int:
    """Start ``tutela ARGS``, wait until its job's state is ``reached``, kill -9 it; the job."""
    before = district.snapshot()
    process = district.start(*args)
    job = district.wait_for_job(table, process)
    district.wait_for_state(label, job, process, reached)
    district.kill(process)
    assert district.snapshot() == before
    assert district.latest_job(table) == (job, "running", "")  # no final record: no rows
    district.wait_until_silent(label, job)
    district.upkeep()
    _, status, error = district.latest_job(table) or (0, "", "")
    assert status == "failed"
    assert error.startswith("stopped: no heartbeat for")
    assert "nothing it was writing was kept" in error
    assert district.snapshot() == before
    return job


def test_a_contacts_import_killed_while_it_writes_leaves_the_database_as_before(
    district: District,
) -> None:
    killed_mid_run(
        district,
        ("import", "contacts", str(district.files / "contacts.csv")),
        "imports_importjob",
        "imports.importjob",
        lambda state: str(state.get("phase", "")).startswith("writing: "),
    )
    # The same file then imports in full.
    done = district.run("import", "contacts", str(district.files / "contacts.csv"))
    assert done.returncode == 0, done.stderr
    assert district.latest_job("imports_importjob")[1] == "done"  # type: ignore[index]


def test_an_autocreate_run_killed_while_it_writes_leaves_the_database_as_before(
    district_with_contacts: District,
) -> None:
    def writing(state: dict[str, Any]) -> bool:
        return state.get("phase") == "writing" and state["done"] > state["total"] // 2

    killed_mid_run(
        district_with_contacts,
        ("autocreate",),
        "provisioning_autocreatejob",
        "provisioning.autocreatejob",
        writing,
    )


def test_a_code_reset_killed_while_it_writes_leaves_the_database_as_before(
    district: District,
) -> None:
    killed_mid_run(
        district,
        ("codes", "reset"),
        "accesscodes_accesscodejob",
        "accesscodes.accesscodejob",
        lambda state: state.get("phase") == "issuing",
    )
