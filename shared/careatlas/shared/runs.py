"""Run state: what a run is made of and how far each of its tasks got.

Kept in two places: Redis (live: ``watch`` polls it) and the lake (``runs/<run_id>/``: the
manifest plus one small JSON per task, so a run can be inspected after Redis is gone). Worker
signals (celery_app.py) record every task that carries a ``run_id`` keyword.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any, Literal

import redis
from pydantic import BaseModel, Field

from careatlas.shared import layout
from careatlas.shared.storage import Lake, LakeKeyNotFound

TaskState = Literal["queued", "running", "retrying", "done", "failed"]
RunStatus = Literal["planning", "running", "succeeded", "failed", "cancelled"]
KEY_TTL_S = 30 * 24 * 3600


class TaskRecord(BaseModel):
    task_id: str
    name: str
    state: TaskState
    attempts: int = 0
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
    references: dict[str, str] = Field(default_factory=dict)  # kind -> source URI
    plan: dict[str, Any] | None = None  # the IngestPlan once planned
    chunk_count: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None  # the transform's summary


def new_run_id() -> str:
    return datetime.now(UTC).strftime("run-%Y%m%dT%H%M%S-") + f"{time.time_ns() % 100000:05d}"


# ---------------------------------------------------------------------- lake side
def save_manifest(lake: Lake, manifest: RunManifest) -> None:
    lake.write_json(layout.run_manifest(manifest.run_id), manifest.model_dump(mode="json"))


def load_manifest(lake: Lake, run_id: str) -> RunManifest | None:
    try:
        return RunManifest.model_validate(lake.read_json(layout.run_manifest(run_id)))
    except LakeKeyNotFound:
        return None


def list_manifests(lake: Lake) -> list[RunManifest]:
    keys = [k for k in lake.list("runs") if k.endswith("/manifest.json")]
    return sorted((RunManifest.model_validate(lake.read_json(k)) for k in keys), key=lambda m: m.created_at)


def save_task(lake: Lake, run_id: str, record: TaskRecord) -> None:
    lake.write_json(f"runs/{layout.check_run_id(run_id)}/tasks/{record.task_id}.json", record.model_dump())


def load_tasks(lake: Lake, run_id: str) -> dict[str, TaskRecord]:
    prefix = f"runs/{layout.check_run_id(run_id)}/tasks/"
    return {r.task_id: r for r in (TaskRecord.model_validate(lake.read_json(k)) for k in lake.list(prefix))}


# ---------------------------------------------------------------------- Redis side
class RunStore:
    """Live run state in Redis: one hash of task records per run, plus the run's status."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @classmethod
    def from_url(cls, url: str) -> RunStore:
        return cls(redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10))

    def put_task(self, run_id: str, record: TaskRecord) -> None:
        key = f"careatlas:run:{run_id}:tasks"
        self.redis.hset(key, record.task_id, record.model_dump_json())
        self.redis.expire(key, KEY_TTL_S)

    def get_task(self, run_id: str, task_id: str) -> TaskRecord | None:
        raw = self.redis.hget(f"careatlas:run:{run_id}:tasks", task_id)
        return TaskRecord.model_validate_json(raw) if raw else None

    def tasks(self, run_id: str) -> dict[str, TaskRecord]:
        raw = self.redis.hgetall(f"careatlas:run:{run_id}:tasks")
        return {k.decode(): TaskRecord.model_validate_json(v) for k, v in raw.items()}

    def set_status(self, run_id: str, status: RunStatus, **fields: Any) -> None:
        self.redis.set(f"careatlas:run:{run_id}:status", json.dumps({"status": status, **fields}, default=str),
                       ex=KEY_TTL_S)
        self.redis.zadd("careatlas:runs", {run_id: time.time()})

    def status(self, run_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(f"careatlas:run:{run_id}:status")
        return json.loads(raw) if raw else None

    def run_ids(self) -> list[str]:
        return [r.decode() for r in self.redis.zrange("careatlas:runs", 0, -1)]

    # two runs of one release must not both write: a lock per (dataset, release)
    def lock_release(self, dataset: str, release: str, run_id: str, ttl_s: int) -> str | None:
        """Take the release for ``run_id``; returns the run holding it when someone else does."""
        key = f"careatlas:lock:{dataset}:{release}"
        if self.redis.set(key, run_id, nx=True, ex=ttl_s):
            return None
        holder = self.redis.get(key)
        return holder.decode() if holder and holder.decode() != run_id else None

    def unlock_release(self, dataset: str, release: str, run_id: str) -> None:
        key = f"careatlas:lock:{dataset}:{release}"
        holder = self.redis.get(key)
        if holder and holder.decode() == run_id:
            self.redis.delete(key)


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


def mark_failed(lake: Lake, live: RunStore, run_id: str, error: str | None = None,
                failed_attempt: int | None = None) -> RunManifest | None:
    """Fail a run: name its failed tasks, free its release, keep its outputs for ``retry``.
    Called by the errback of the canvas's body and by the failure signal of any run task (a
    failed chord header task does not reach the body's errback)."""
    manifest = load_manifest(lake, run_id)
    if manifest is None or manifest.status in ("succeeded", "cancelled"):
        return manifest
    if failed_attempt is not None and failed_attempt < manifest.attempt:
        return manifest  # a late report from an attempt that `retry` already replaced
    failed = [t for t in live.tasks(run_id).values() if t.state == "failed" and t.run_attempt >= manifest.attempt]
    manifest.status = "failed"
    manifest.error = "; ".join(f"{t.name}{f' chunk {t.chunk}' if t.chunk is not None else ''}: {t.error}"
                               for t in failed) or error or "a step failed (see the worker logs)"
    manifest.finished_at = datetime.now(UTC)
    save_manifest(lake, manifest)
    live.set_status(run_id, "failed", error=manifest.error)
    live.unlock_release(manifest.dataset, manifest.release, run_id)
    return manifest


def summarize(manifest: RunManifest | None, tasks: dict[str, TaskRecord]) -> dict[str, Any]:
    """What status/watch show: counts per state, chunk progress, rows and throughput."""
    chunks = [t for t in tasks.values() if t.name == "ingest.ingest_chunk"]
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
