"""A Redis queue of its own for the two-workers test: a task that says who ran it.

Each worker process runs this module, a Huey consumer as ``tutela worker`` is: the same
consumer, the same delivery from one Redis list to whichever worker asks first.
"""

from __future__ import annotations

import os
import time

from huey import RedisHuey
from huey.consumer import Consumer

# A Redis database and queue name that no other test or server uses.
REDIS_DB = 13
QUEUE = "tutela-test-two-workers"
RAN = f"{QUEUE}:ran"
READY = f"{QUEUE}:ready"

huey = RedisHuey(QUEUE, host="127.0.0.1", port=6379, db=REDIS_DB)


@huey.task()
def record(number: int) -> None:
    """Say that this process ran job ``number``; take a moment, as a real job does, so the
    other worker takes the next one meanwhile."""
    huey.storage.conn.rpush(RAN, f"{number}:{os.getpid()}")
    time.sleep(0.05)


@huey.on_startup()
def ready() -> None:
    huey.storage.conn.sadd(READY, os.getpid())


def consume() -> None:
    """One worker process of one worker, until SIGINT or SIGTERM (imported, not run as
    ``__main__``: a task is named by its module)."""
    Consumer(huey, workers=1, periodic=False).run()
