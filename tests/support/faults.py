"""Faults injected into real worker processes at chosen points of a run: SIGKILL of a worker's
pool process when it starts a given task (an OOM kill, as the kernel does it: armed here, done
by ``support.fault_worker`` inside the worker), and a Redis blip (every client connection
dropped at once)."""

from __future__ import annotations

import fcntl
import json
import time
from pathlib import Path

import redis


def arm(folder: Path, task_name: str, *, kills: int, chunk: int | None = None, run_id: str | None = None,
        at: str = "start", pause: bool = False) -> Path:
    """Kill the first ``kills`` deliveries of ``task_name`` (in ``run_id``, or in whichever run
    comes next; one chunk, or any), at its ``start`` or ``before_publish``, in the workers of
    ``support.fault_worker`` reading ``folder``. Armed before the run starts, so even a task that
    takes milliseconds is caught. With ``pause`` the task is held there instead of killed, until
    ``release``. Returns the fault's file (``kills`` reads it)."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / f"{task_name}.json"
    spec.write_text(json.dumps({"run_id": run_id, "chunk": chunk, "kills": kills, "at": at, "killed_at": [],
                                "pause": pause, "released": False}))
    return spec


def release(spec: Path) -> None:
    """Let a task held by a ``pause`` fault go on."""
    with open(spec, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as the workers read it
        fault = json.loads(handle.read())
        fault["released"] = True
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(fault))


def kills(spec: Path) -> list[float]:
    """When each armed kill (or pause) happened (seconds since the epoch)."""
    return json.loads(spec.read_text())["killed_at"] if spec.exists() else []


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
