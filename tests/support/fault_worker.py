"""Celery entry point of a test worker that can be armed with a kill: ``celery -A
support.fault_worker worker ...`` with ``CAREATLAS_TEST_WORKER_MODULE`` naming the service
(ingest, census, transform) and ``CAREATLAS_TEST_FAULTS_DIR`` the folder of armed faults.

The real worker module is imported unchanged; each of its tasks first looks for a fault armed by
``support.faults.arm`` (``<dir>/<task name>.json``: run id, optional chunk, kills left, and
where: ``start``, or ``before_publish``, the publishing steps' last check before their pointer
switch). When one matches, the pool process SIGKILLs itself, as the kernel's OOM killer would (or,
armed with ``pause``, waits there until the test releases it):
at ``start`` after the run guard has counted the delivery and before the task does any work; at
``before_publish`` with every data file written and the finalize claim held. Deterministic,
unlike a watcher that polls for the task and can miss a short one.
"""

from __future__ import annotations

import fcntl
import functools
import importlib
import json
import os
import signal
import time
from pathlib import Path

from celery import current_task

from careatlas.runs import guard

module = importlib.import_module(f"careatlas.{os.environ['CAREATLAS_TEST_WORKER_MODULE']}.worker")
app = module.app
FAULTS = Path(os.environ["CAREATLAS_TEST_FAULTS_DIR"])


def _maybe_die(task_name: str, kwargs: dict, at: str) -> None:
    spec = FAULTS / f"{task_name}.json"
    if not spec.exists():
        return
    with open(spec, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # two pool processes never take the same kill
        fault = json.loads(handle.read())
        chunk = (kwargs.get("spec") or {}).get("chunk")
        wanted = (fault["kills"] > 0 and fault["at"] == at and fault["run_id"] in (None, kwargs.get("run_id"))
                  and fault["chunk"] in (None, chunk))
        if not wanted:
            return
        fault["kills"] -= 1
        fault["killed_at"].append(time.time())
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(fault))
        handle.flush()
        os.fsync(handle.fileno())
    if fault.get("pause"):
        _held_until_released(spec)
        return
    os.kill(os.getpid(), signal.SIGKILL)


def _held_until_released(spec: Path, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with open(spec) as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            if json.loads(handle.read() or "{}").get("released"):
                return
        time.sleep(0.2)


def _armed(task) -> None:
    body = task.run

    @functools.wraps(body)
    def run(*args, **kwargs):
        _maybe_die(task.name, kwargs, "start")
        return body(*args, **kwargs)
    task.run = run


def _before_publish(still_live):
    @functools.wraps(still_live)
    def check() -> None:
        _maybe_die(current_task.name, current_task.request.kwargs or {}, "before_publish")
        return still_live()
    return check


guard.still_live = _before_publish(guard.still_live)  # looked up at each call: the publishing steps see it


for _task in list(app.tasks.values()):
    if _task.name.split(".")[0] in {"ingest", "census", "transform"}:
        _armed(_task)
