"""``RunTask``: the base class of every Celery task (the app's ``task_cls``). For a task that
carries a ``run_id`` keyword it

- counts deliveries: ``acks_late`` + ``reject_on_worker_lost`` give a message back whenever its
  worker is lost, so an input that OOM-kills every worker would loop forever. Past
  ``max_task_deliveries`` the run fails, naming the task, and its release is freed;
- skips the step (publishes nothing) when the run was cancelled or failed, or the task is from
  an attempt a ``retry`` replaced;
- renews the run's release lock while it works; the publishing steps take it back if it
  expired and fail if another run took it (a fencing check);
- fails the run explicitly when the task fails for good (``on_failure``), and sends the
  retrying ``ingest.fail_run`` if that cannot be done at once.

Every task's exception is redacted before Celery stores it (result backend tracebacks).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import redis
import structlog
from celery import Task, current_task
from celery.exceptions import Ignore, Retry

from careatlas.runs import lifecycle
from careatlas.runs.live import RunStore
from careatlas.runs.model import TaskRecord, attempt_of, load_manifest
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import LakeUnavailable

log = structlog.get_logger(__name__)
# steps that write what readers see, or launch a canvas: they take an expired lock back
PUBLISHING = frozenset({"ingest.start_run", "ingest.retry_run", "ingest.finalize_nppes", "transform.build_marts",
                        "ingest.complete_run"})
UNGUARDED = frozenset({"ingest.fail_run"})  # failing must work whatever the run's state
COORDINATORS = frozenset({"ingest.start_run", "ingest.retry_run"})  # each begins an attempt of its own


class TaskPoisoned(RuntimeError):
    """The task's message came back more often than ``max_task_deliveries``."""


class RunTask(Task):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        run_id = kwargs.get("run_id")
        try:
            if not run_id or self.name in UNGUARDED:
                return super().__call__(*args, **kwargs)
            return self._guarded(run_id, args, kwargs)
        except (Retry, Ignore):
            raise
        except Exception as error:
            clean = redacted(error)
            if clean is error:
                raise
            raise clean from None

    def _guarded(self, run_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        runs = lifecycle.Runs.open(get_settings(), kwargs.get("lake"))
        request = self.request
        try:  # a step of a final run, or of a replaced attempt, publishes nothing: skip it first
            root = None if self.name in COORDINATORS else request.root_id
            manifest = lifecycle.check_live(runs, run_id, root)
            deliveries = runs.store.deliver(request.id, request.retries or 0)
        except lifecycle.RunStopped as stopped:
            _skip(runs, self, run_id, str(stopped))
            raise Ignore() from None
        except lifecycle.RunNotFound:  # a task sent with a run id but no run (a manual build): no rules
            return super().__call__(*args, **kwargs)
        except (redis.RedisError, LakeUnavailable) as error:  # the run's state is unknown for now: come back
            raise self.retry(exc=error, countdown=5 + 5 * min(request.retries or 0, 11), max_retries=40) from None
        if deliveries > runs.settings.max_task_deliveries:
            reason = (f"{self.name}{_chunk(kwargs)} was delivered {deliveries} times and never finished: its "
                      "worker was lost each time (out of memory, or killed). The run stops here; see the "
                      "runbook, 'Poison input'")
            lifecycle.fail(runs, run_id, reason)
            raise TaskPoisoned(reason)
        try:
            with runs.lock(manifest).renewing(retake=self.name in PUBLISHING):
                return super().__call__(*args, **kwargs)
        except lifecycle.RunStopped as stopped:  # cancelled while it worked: it published nothing
            _skip(runs, self, run_id, str(stopped))
            raise Ignore() from None

    def on_failure(self, exc: BaseException, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                   einfo: Any) -> None:
        """The explicit fail step: retries are exhausted, so the run cannot finish without
        ``retry``. Recorded and failed here; if that fails, a retrying ``ingest.fail_run`` does it."""
        run_id = (kwargs or {}).get("run_id")
        if not run_id or self.name in UNGUARDED:
            return
        reason = log_setup.redact(f"{type(exc).__name__}: {exc}")[:2000]
        try:
            runs = lifecycle.Runs.open(get_settings(), kwargs.get("lake"))
            manifest = load_manifest(runs.lake, run_id)
            attempt = attempt_of(manifest, getattr(self.request, "root_id", None))
            record = runs.store.get_task(run_id, task_id) or TaskRecord(task_id=task_id, name=self.name,
                                                                      state="failed", run_attempt=attempt)
            record.state, record.error, record.finished_at = "failed", reason, time.time()
            record.chunk = (kwargs.get("spec") or {}).get("chunk", record.chunk)
            lifecycle.record_task(runs, run_id, record)
            lifecycle.fail(runs, run_id, reason, failed_attempt=record.run_attempt)
        except Exception as error:
            log.warning("run not failed at once: sending ingest.fail_run", run_id=run_id, error=str(error))
            self.app.send_task("ingest.fail_run", kwargs={"run_id": run_id, "lake": kwargs.get("lake"),
                                                         "reason": reason})


def still_live() -> None:
    """Raise RunStopped unless the current task's run may still publish: called by finalize
    and transform right before they switch a pointer (a cancel may have come meanwhile)."""
    request = current_task.request if current_task else None
    kwargs = (request.kwargs or {}) if request else {}
    if request is not None and kwargs.get("run_id"):
        with contextlib.suppress(lifecycle.RunNotFound):  # a task with a run id but no run: no rules
            lifecycle.check_live(lifecycle.Runs.open(get_settings(), kwargs.get("lake")), kwargs["run_id"],
                                 request.root_id)


def exclusive(name: str, ttl_s: int = 20) -> contextlib.AbstractContextManager[None]:
    """One execution of a step at a time (a duplicate delivery of finalize waits its turn):
    a claim renewed while the block runs, released by compare-and-delete."""

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        store = RunStore.from_url(get_settings().redis_url)
        holder = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        if not store.claim(name, holder, ttl_s):
            raise current_task.retry(countdown=max(5, ttl_s // 4), max_retries=200)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(ttl_s / 3):
                store.redis.expire(f"careatlas:claim:{name}", ttl_s)

        threading.Thread(target=beat, daemon=True).start()
        try:
            yield
        finally:
            stop.set()
            store.unclaim(name, holder)

    return hold()


def redacted(error: Exception) -> Exception:
    """``error`` with registered secrets removed from its message and no chained causes, so the
    result backend's stored traceback holds none. The type is kept where the message allows."""
    text = str(error)
    clean = log_setup.redact(text)
    if clean == text:
        return error
    try:
        error.args = (clean,)
        if str(error) == clean:
            error.__cause__ = error.__context__ = None
            return error
    except Exception:  # an exception type whose args cannot be set
        pass
    return RuntimeError(f"{type(error).__name__}: {clean}")


def _chunk(kwargs: dict[str, Any]) -> str:
    chunk = (kwargs.get("spec") or {}).get("chunk")
    return f" chunk {chunk}" if chunk is not None else ""


def _skip(runs: lifecycle.Runs, task: Task, run_id: str, why: str) -> None:
    log.info("run step skipped", run_id=run_id, task=task.name, reason=why)
    record = runs.store.get_task(run_id, task.request.id) or TaskRecord(task_id=task.request.id, name=task.name,
                                                                        state="skipped")
    record.state, record.error, record.finished_at = "skipped", why, time.time()
    lifecycle.record_task(runs, run_id, record)
