"""The background queue: Huey on SQLite by default, on Redis when TUTELA_QUEUE_URL says so."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from huey.utils import load_class

from tutela import settings as tutela_settings


def build(config: dict[str, Any]) -> Any:
    """A Huey instance from a HUEY setting, as huey.contrib.djhuey builds it."""
    options = {k: v for k, v in config.items() if k not in {"huey_class", "name", "consumer"}}
    return load_class(config["huey_class"])(config["name"], **options)


def test_by_default_the_queue_is_an_sqlite_file_in_tutela_home(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TUTELA_QUEUE_URL", raising=False)
    config = tutela_settings._huey()
    assert config["huey_class"] == "huey.SqliteHuey"
    assert Path(config["filename"]).parent == tutela_settings.TUTELA_HOME
    huey = build(config)
    huey.put("k", {"done": 1, "total": 2})
    assert huey.get("k", peek=True) == {"done": 1, "total": 2}


def test_a_queue_url_that_is_not_redis_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTELA_QUEUE_URL", "amqp://localhost")
    with pytest.raises(ImproperlyConfigured, match="TUTELA_QUEUE_URL must be a redis:// URL"):
        tutela_settings._huey()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_a_redis_url_jobs_and_progress_go_through_redis(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("TUTELA_QUEUE_URL", redis_url)
    config = tutela_settings._huey()
    assert config["huey_class"] == "huey.RedisHuey"
    huey = build(config)

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 5
    huey.put("tutela.autocreate.progress.1", {"done": 5, "total": 10, "phase": "planning"})
    assert huey.get("tutela.autocreate.progress.1", peek=True)["done"] == 5
