"""Task progress for people watching: every task that carries a ``run_id`` keyword is recorded
(queued → running → done/retrying) in Redis, and in the lake once it ends. Observability only:
a record that cannot be written is logged and the work goes on. Transitions of the *run* are
never made here: failing a run is ``RunTask.on_failure`` (guard.py), an explicit step."""

from __future__ import annotations

import time
from typing import Any

import structlog
from celery import signals

from careatlas.runs import lifecycle
from careatlas.runs.model import TaskRecord, TaskState, attempt_of, load_manifest
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import get_settings

log = structlog.get_logger(__name__)


def record(task: Any, task_id: str, state: TaskState, **fields: Any) -> None:
    request = getattr(task, "request", None)
    kwargs = (getattr(request, "kwargs", None) or {}) if request else {}
    run_id = kwargs.get("run_id")
    if not run_id:
        return
    try:
        runs = lifecycle.Runs.open(get_settings(), kwargs.get("lake"))
        current = runs.store.get_task(run_id, task_id)
        if current is None:  # a step not recorded at launch (the chord's body), or one Redis lost
            current = TaskRecord(task_id=task_id, name=task.name, state="queued", run_attempt=attempt_of(
                load_manifest(runs.lake, run_id), getattr(request, "root_id", None)))
        current.chunk = (kwargs.get("spec") or {}).get("chunk", current.chunk)
        current.state = state
        if state == "running":
            current.attempts += 1
            current.started_at = time.time()
            current.worker = getattr(request, "hostname", None)
        if state == "done":
            current.finished_at = time.time()
        for name, value in fields.items():
            setattr(current, name, value)
        lifecycle.record_task(runs, run_id, current)
    except Exception as error:  # state is for people watching; the work itself goes on
        log.warning("run state not recorded", run_id=run_id, error=str(error))


@signals.task_prerun.connect
def _on_start(task_id: str, task: Any = None, **_kwargs: Any) -> None:
    record(task, task_id, "running", error=None)


@signals.task_success.connect
def _on_success(sender: Any = None, result: Any = None, **_kwargs: Any) -> None:
    result = result if isinstance(result, dict) else {}
    record(sender, sender.request.id, "done", rows=result.get("rows_read"), bytes=result.get("bytes_read"))


@signals.task_retry.connect
def _on_retry(sender: Any = None, reason: Any = None, **_kwargs: Any) -> None:
    record(sender, sender.request.id, "retrying", error=log_setup.redact(str(reason))[:500])
