"""Faults injected into real worker processes at chosen points of a run: SIGKILL of a worker's
pool process whenever it starts a given task (an OOM kill, as the kernel does it), and a
Redis blip (every client connection dropped at once)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import redis

from careatlas.runs.live import RunStore


def pool_children(pid: int) -> list[int]:
    """The prefork pool processes of a Celery worker (its children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


class KillWhenRunning(threading.Thread):
    """SIGKILL the pool process running ``task_name`` of ``run_id`` (optionally one chunk) on
    each of its first ``deliveries`` deliveries; records when each kill happened."""

    def __init__(self, store: RunStore, run_id: str, workers: list, task_name: str, *,
                 chunk: int | None = None, deliveries: int = 1) -> None:
        super().__init__(daemon=True)
        self.store, self.run_id, self.task_name, self.chunk = store, run_id, task_name, chunk
        self.workers = {w.name: w for w in workers}
        self.deliveries, self.kills = deliveries, []
        self._halt = threading.Event()

    def run(self) -> None:
        killed = 0
        while not self._halt.is_set() and killed < self.deliveries:
            with contextlib.suppress(redis.RedisError):
                for record in self.store.tasks(self.run_id).values():
                    if (record.name == self.task_name and record.state == "running" and record.attempts > killed
                            and (self.chunk is None or record.chunk == self.chunk) and record.worker in self.workers
                            and self._counted(record.task_id) >= record.attempts):
                        for child in pool_children(self.workers[record.worker].process.pid):
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(child, signal.SIGKILL)
                        killed = record.attempts
                        self.kills.append(time.monotonic())
            time.sleep(0.03)

    def _counted(self, task_id: str) -> int:
        """Deliveries the guard has counted: kill once the task is at work, as an OOM does."""
        keys = self.store.redis.keys(f"careatlas:deliveries:{task_id}:*")
        return max((int(self.store.redis.get(k) or 0) for k in keys), default=0)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def redis_blip(url: str) -> int:
    """Drop every client connection of the Redis server (workers, chord state, run state)."""
    client = redis.Redis.from_url(url)
    return int(client.client_kill_filter(_type="normal", skipme=True))


def wait_until(predicate, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
