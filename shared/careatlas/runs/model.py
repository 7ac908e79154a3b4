"""What a run is made of, and where it is kept in the lake.

A run is one manifest (``runs/<run_id>/manifest.json``) plus one small JSON per finished task
(``runs/<run_id>/tasks/``), so it can be inspected after Redis has forgotten it. Live state
(task records while they run, locks, delivery counts) is in Redis: see ``live.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from careatlas.shared import layout
from careatlas.shared.storage import Lake, LakeKeyNotFound

TaskState = Literal["queued", "running", "retrying", "done", "failed", "skipped"]
RunStatus = Literal["planning", "running", "succeeded", "failed", "cancelled"]
FINAL: tuple[RunStatus, ...] = ("succeeded", "failed", "cancelled")
CHUNK_TASK = "ingest.ingest_chunk"


class TaskRecord(BaseModel):
    task_id: str
    name: str
    state: TaskState
    attempts: int = 0  # deliveries that started (a redelivery after a lost worker counts)
    worker: str | None = None
    chunk: int | None = None
    rows: int | None = None
    bytes: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    run_attempt: int = 0  # which start/retry of the run launched it


class RunManifest(BaseModel):
    run_id: str
    status: RunStatus = "planning"
    attempt: int = 0  # 1 when started, +1 per retry: older attempts' failures do not count
    attempt_root_id: str | None = None  # the current attempt's coordinator task (see attempt_of)
    launched_root_id: str | None = None  # set once that coordinator's canvas was sent (idempotency)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    release: str
    kind: Literal["full", "weekly"]
    dataset: str
    raw_key: str
    raw_sha256: str
    raw_bytes: int
    acs_year: int | None = None
    census_geos: list[str] = Field(default_factory=lambda: ["county", "state"])
    references: dict[str, str] = Field(default_factory=dict)  # kind -> source URI or lake key
    plan: dict[str, Any] | None = None  # the IngestPlan once planned
    companion_plans: list[dict[str, Any]] = Field(default_factory=list)  # a monthly zip's pl/othername/endpoint
    chunk_count: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None  # the transform's summary

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


def new_run_id() -> str:
    return datetime.now(UTC).strftime("run-%Y%m%dT%H%M%S-") + f"{time.time_ns() % 100000:05d}"


def save_manifest(lake: Lake, manifest: RunManifest) -> None:
    lake.write_json(layout.run_manifest(manifest.run_id), manifest.model_dump(mode="json"))


def load_manifest(lake: Lake, run_id: str) -> RunManifest | None:
    try:
        return RunManifest.model_validate(lake.read_json(layout.run_manifest(run_id)))
    except LakeKeyNotFound:
        return None


def list_manifests(lake: Lake) -> list[RunManifest]:
    keys = [k for k in lake.list(layout.runs_root()) if layout.is_run_manifest(k)]
    return sorted((RunManifest.model_validate(lake.read_json(k)) for k in keys), key=lambda m: m.created_at)


def save_task(lake: Lake, run_id: str, record: TaskRecord) -> None:
    lake.write_json(layout.run_task(run_id, record.task_id), record.model_dump())


def load_tasks(lake: Lake, run_id: str) -> dict[str, TaskRecord]:
    prefix = layout.run_tasks(run_id)
    return {r.task_id: r for r in (TaskRecord.model_validate(lake.read_json(k)) for k in lake.list(prefix))}


def attempt_of(manifest: RunManifest | None, root_id: str | None) -> int:
    """The attempt a run task belongs to, from its Celery workflow root: every task of an
    attempt's canvas, errbacks included, has that attempt's coordinator (``ingest.start_run`` or
    ``ingest.retry_run``, recorded as ``attempt_root_id``) as root. So a late failure of an
    earlier attempt whose task record Redis lost (a restart) does not fail the current one."""
    if manifest is None:
        return 0
    if root_id is None or manifest.attempt_root_id in (None, root_id):
        return manifest.attempt
    return manifest.attempt - 1


def failed_tasks(manifest: RunManifest, tasks: dict[str, TaskRecord]) -> list[TaskRecord]:
    """The tasks of the run's current attempt recorded as failed."""
    return [t for t in tasks.values() if t.state == "failed" and t.run_attempt >= manifest.attempt]


def failure_reason(manifest: RunManifest, tasks: dict[str, TaskRecord], fallback: str | None) -> str:
    """The run's error: its current attempt's failed tasks, each named, else ``fallback``."""
    failed = failed_tasks(manifest, tasks)
    named = "; ".join(f"{t.name}{f' chunk {t.chunk}' if t.chunk is not None else ''}: {t.error}" for t in failed)
    return named or fallback or "a step failed (see the worker logs)"


def summarize(manifest: RunManifest | None, tasks: dict[str, TaskRecord]) -> dict[str, Any]:
    """What status/watch show: counts per state, chunk progress, rows and throughput."""
    chunks = [t for t in tasks.values() if t.name == CHUNK_TASK]
    done_chunks = {t.chunk for t in chunks if t.state == "done"}
    rows = sum(t.rows or 0 for t in chunks if t.state == "done")
    nbytes = sum(t.bytes or 0 for t in chunks if t.state == "done")
    starts = [t.started_at for t in tasks.values() if t.started_at]
    ends = [t.finished_at for t in chunks if t.finished_at]
    elapsed = (max(ends) - min(starts)) if starts and ends else 0.0
    states: dict[str, int] = {}
    for task in tasks.values():
        states[task.state] = states.get(task.state, 0) + 1
    return {
        "run_id": manifest.run_id if manifest else None,
        "status": manifest.status if manifest else None,
        "release": manifest.release if manifest else None,
        "chunks_total": manifest.chunk_count if manifest else len({t.chunk for t in chunks}),
        "chunks_done": len(done_chunks),
        "rows": rows,
        "bytes": nbytes,
        "mb_per_s": round(nbytes / 1e6 / elapsed, 1) if elapsed > 0 else None,
        "tasks": states,
        "failed": [{"name": t.name, "chunk": t.chunk, "error": t.error} for t in tasks.values() if t.state == "failed"],
        "workers": sorted({t.worker for t in tasks.values() if t.worker}),
        "error": manifest.error if manifest else None,
    }
