"""Two worker processes on one Redis queue share a batch of jobs, and none runs twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.jobs import redis_queue

ROOT = Path(__file__).resolve().parents[2]
JOBS = 40
TIMEOUT = 30.0


@pytest.fixture
def queue() -> Iterator[redis.Redis]:
    connection = redis.Redis(
        host="127.0.0.1", port=6379, db=redis_queue.REDIS_DB, decode_responses=True
    )
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    redis_queue.huey.flush()
    connection.delete(redis_queue.RAN, redis_queue.READY)
    yield connection
    redis_queue.huey.flush()
    connection.delete(redis_queue.RAN, redis_queue.READY)


def _until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_workers_share_a_batch_of_jobs_and_run_each_once(queue: redis.Redis) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", "from tests.jobs.redis_queue import consume; consume()"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        _until(lambda: queue.scard(redis_queue.READY) == 2, "both workers to start")
        for number in range(JOBS):
            redis_queue.record(number)
        _until(lambda: queue.llen(redis_queue.RAN) >= JOBS, "every job to run")
        time.sleep(0.2)  # a job delivered twice would show up by now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            worker.wait(timeout=TIMEOUT)
    ran = [str(entry).split(":") for entry in queue.lrange(redis_queue.RAN, 0, -1)]
    runs = Counter(int(number) for number, _ in ran)
    assert runs == Counter(range(JOBS))  # every job, each once
    by_worker = Counter(pid for _, pid in ran)
    assert set(by_worker) == {str(worker.pid) for worker in workers}  # both took a share
