"""The run recorder (careatlas.runs.recorder): Celery's task signals become task records, in
Redis while a task works and in the lake once it ends, each booked to the attempt that launched
it. Observability only: it never moves the run, and a record it cannot write stops nothing.

Redis is a dict behind the real ``RunStore``; the lake is a local folder; the signals are sent
as Celery sends them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from celery import signals

from careatlas.runs import live, model, recorder  # noqa: F401  (recorder: connects the signal handlers)
from careatlas.shared import layout
from careatlas.shared.storage import Lake

RUN = "run-1"


class Hashes:
    """The part of a Redis client ``RunStore`` uses for task records."""

    def __init__(self) -> None:
        self.data: dict[str, dict[bytes, bytes]] = {}

    def hset(self, key: str, field: str, value: str) -> None:
        self.data.setdefault(key, {})[field.encode()] = value.encode()

    def hget(self, key: str, field: str) -> bytes | None:
        return self.data.get(key, {}).get(field.encode())

    def hgetall(self, key: str) -> dict[bytes, bytes]:
        return dict(self.data.get(key, {}))

    def expire(self, key: str, ttl: int) -> None:
        pass


class Task:
    """What the recorder reads of a Celery task: its name and request (hashable, as signal senders are)."""

    def __init__(self, name: str, request: SimpleNamespace) -> None:
        self.name, self.request = name, request


class Down(Hashes):
    def hget(self, key: str, field: str) -> bytes | None:
        raise redis.ConnectionError("Redis is restarting")


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> live.RunStore:
    store = live.RunStore(Hashes())  # type: ignore[arg-type]
    monkeypatch.setattr(live.RunStore, "from_url", classmethod(lambda cls, url: store))
    return store


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(str(tmp_path / "lake"))
    model.save_manifest(lake, model.RunManifest(
        run_id=RUN, status="running", attempt=2, attempt_root_id="retry-root", release="2025-01-12", kind="full",
        dataset="npidata", raw_key="raw/x.csv", raw_sha256="0" * 64, raw_bytes=1))
    return lake


def _task(lake: Lake, task_id: str, *, root_id: str = "retry-root", name: str = "ingest.ingest_chunk",
          run_id: str | None = RUN, chunk: int | None = 3) -> Task:
    kwargs = {"lake": lake.root, "spec": {"chunk": chunk} if chunk is not None else None}
    if run_id:
        kwargs["run_id"] = run_id
    request = SimpleNamespace(id=task_id, kwargs=kwargs, root_id=root_id, hostname="worker@a")
    return Task(name, request)


def _start(task: Task) -> None:
    signals.task_prerun.send(sender=task, task_id=task.request.id, task=task, args=(), kwargs=task.request.kwargs)


def _succeed(task: Task, result: object) -> None:
    signals.task_success.send(sender=task, result=result)


def _retry(task: Task, reason: str) -> None:
    signals.task_retry.send(sender=task, request=task.request, reason=reason, einfo=None)


def _in_lake(lake: Lake, task_id: str) -> bool:
    return lake.exists(layout.run_task(RUN, task_id))


def test_a_task_is_running_then_done_and_reaches_the_lake_only_once_it_ends(store: live.RunStore,
                                                                            lake: Lake) -> None:
    store.put_task(RUN, model.TaskRecord(task_id="t-1", name="ingest.ingest_chunk", state="queued", run_attempt=2))
    task = _task(lake, "t-1")
    _start(task)
    running = store.get_task(RUN, "t-1")
    assert (running.state, running.attempts, running.worker, running.chunk) == ("running", 1, "worker@a", 3)
    assert running.started_at is not None and running.finished_at is None
    assert not _in_lake(lake, "t-1")

    _succeed(task, {"rows_read": 120, "bytes_read": 4096})
    done = store.get_task(RUN, "t-1")
    assert (done.state, done.rows, done.bytes, done.run_attempt) == ("done", 120, 4096, 2)
    assert done.finished_at is not None and done.finished_at >= done.started_at
    assert model.load_tasks(lake, RUN) == {"t-1": done}


def test_a_retry_is_recorded_with_its_reason_and_the_next_start_counts_a_second_attempt(
        store: live.RunStore, lake: Lake) -> None:
    task = _task(lake, "t-2")
    _start(task)
    _retry(task, "S3 is throttling " + "x" * 600)
    retrying = store.get_task(RUN, "t-2")
    assert retrying.state == "retrying" and retrying.error.startswith("S3 is throttling")
    assert len(retrying.error) == 500 and not _in_lake(lake, "t-2")
    _start(task)
    again = store.get_task(RUN, "t-2")
    assert (again.state, again.attempts, again.error) == ("running", 2, None)


def test_a_non_dict_result_records_done_without_counts(store: live.RunStore, lake: Lake) -> None:
    task = _task(lake, "t-3", name="ingest.finalize", chunk=None)
    _start(task)
    _succeed(task, None)
    done = store.get_task(RUN, "t-3")
    assert (done.state, done.rows, done.bytes, done.chunk) == ("done", None, None, None)


@pytest.mark.parametrize(("root_id", "attempt"), [("retry-root", 2), ("start-root", 1), (None, 2)])
def test_a_report_redis_has_no_record_of_is_booked_to_the_attempt_that_launched_it(
        store: live.RunStore, lake: Lake, root_id: str | None, attempt: int) -> None:
    """Redis lost the record (a restart) or never had it (a chord's body): the attempt comes from
    the task's workflow root, so a late report of the replaced attempt is not the current one's."""
    task = _task(lake, "t-late", root_id=root_id)
    _succeed(task, {"rows_read": 1})
    booked = model.load_tasks(lake, RUN)["t-late"]
    assert (booked.name, booked.state, booked.run_attempt) == ("ingest.ingest_chunk", "done", attempt)


def test_the_recorder_never_moves_the_run(store: live.RunStore, lake: Lake) -> None:
    before = model.load_manifest(lake, RUN)
    task = _task(lake, "t-4", root_id="start-root")
    _start(task)
    _retry(task, "boom")
    _succeed(task, {"rows_read": 1})
    assert model.load_manifest(lake, RUN) == before


def test_a_task_without_a_run_is_not_recorded_nor_opens_the_run_store(
        monkeypatch: pytest.MonkeyPatch, lake: Lake) -> None:
    opened: list[str] = []
    monkeypatch.setattr(live.RunStore, "from_url", classmethod(lambda cls, url: opened.append(url)))
    task = _task(lake, "t-5", run_id=None)
    _start(task)
    _succeed(task, {"rows_read": 1})
    assert opened == [] and model.load_tasks(lake, RUN) == {}


def test_a_record_that_cannot_be_written_stops_nothing(monkeypatch: pytest.MonkeyPatch, lake: Lake) -> None:
    down = live.RunStore(Down())  # type: ignore[arg-type]
    monkeypatch.setattr(live.RunStore, "from_url", classmethod(lambda cls, url: down))
    task = _task(lake, "t-6")
    recorder.record(task, "t-6", "running")  # the handler itself: signals would swallow an error anyway
    recorder.record(task, "t-6", "done")
    assert model.load_tasks(lake, RUN) == {}
