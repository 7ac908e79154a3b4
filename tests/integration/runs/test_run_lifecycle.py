"""The run API's rules on real Redis and both lakes (local folder, S3 API): the release lock is
token-safe and expires when nobody renews it, every transition happens once, cancel and retry
refuse what they must, and a cancelled run's published release is withdrawn. The same rules
under real worker processes and injected faults: tests/e2e/runs/test_run_fault_matrix.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery import Celery

from careatlas.runs import lifecycle, model
from careatlas.runs.live import LockLost, ReleaseLock, RunStore
from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration
RELEASE = "2025-04-13"


@pytest.fixture(params=["local", "s3"])
def runs(request: pytest.FixtureRequest, tmp_path: Path, redis_urls: dict) -> lifecycle.Runs:
    root = str(tmp_path / "lake") if request.param == "local" else request.getfixturevalue("s3_env")["CAREATLAS_LAKE"]
    settings = Settings(lake=root, redis_url=redis_urls["state"], broker_url=redis_urls["broker"],
                        result_backend=redis_urls["backend"], run_lock_ttl_s=5)
    return lifecycle.Runs(settings, Lake(root, settings), RunStore.from_url(redis_urls["state"]))


def _manifest(run_id: str = "run-a", **fields) -> model.RunManifest:
    return model.RunManifest(run_id=run_id, release=RELEASE, kind="weekly", dataset="npidata_weekly",
                             raw_key="raw/x.csv", raw_sha256="0" * 64, raw_bytes=1, **fields)


# ---------------------------------------------------------------------- the release lock
def test_the_lock_is_exclusive_and_released_only_by_its_holder(runs: lifecycle.Runs) -> None:
    a, b = runs.lock(_manifest("run-a")), runs.lock(_manifest("run-b"))
    assert a.acquire() is None and a.acquire() is None  # re-taking one's own lock is fine
    assert b.acquire() == "run-a"
    b.release()  # compare-and-delete: run-b cannot free run-a's lock
    assert a.holder() == "run-a"
    a.release()
    assert b.acquire() is None and b.holder() == "run-b"


def test_a_lock_nobody_renews_expires_and_a_renewed_one_does_not(runs: lifecycle.Runs) -> None:
    dead, live = runs.lock(_manifest("run-dead")), ReleaseLock(runs.live, runs.lake.root, "npidata", RELEASE,
                                                               "run-live", 5)
    assert dead.acquire() is None and live.acquire() is None
    with live.renewing():
        time.sleep(7)  # longer than the TTL
        assert live.holder() == "run-live"
    assert dead.holder() is None  # the dead run's lock is gone after its TTL


def test_publishing_steps_take_an_expired_lock_back_but_never_another_runs(runs: lifecycle.Runs) -> None:
    lock = runs.lock(_manifest("run-a"))
    assert lock.renew(retake=False) is False  # not held: a chunk does not take it
    assert lock.renew(retake=True) is True and lock.holder() == "run-a"  # finalize does
    lock.release()
    assert runs.lock(_manifest("run-b")).acquire() is None
    with pytest.raises(LockLost, match="held by run run-b"):
        lock.renew(retake=True)


def test_locks_are_per_lake(runs: lifecycle.Runs, tmp_path: Path) -> None:
    other = ReleaseLock(runs.live, str(tmp_path / "another-lake"), "npidata_weekly", RELEASE, "run-b", 5)
    assert runs.lock(_manifest("run-a")).acquire() is None and other.acquire() is None


# ---------------------------------------------------------------------- transitions
def test_start_takes_the_release_and_a_second_run_is_refused(runs: lifecycle.Runs) -> None:
    lifecycle.start(runs, _manifest("run-a"))
    assert model.load_manifest(runs.lake, "run-a").status == "planning"
    assert [t.name for t in runs.live.tasks("run-a").values()] == ["ingest.start_run"]
    with pytest.raises(lifecycle.ReleaseBusy, match="being written by run run-a"):
        lifecycle.start(runs, _manifest("run-b"))
    assert model.load_manifest(runs.lake, "run-b") is None


def test_fail_happens_once_names_the_reason_and_frees_the_release(runs: lifecycle.Runs) -> None:
    model.save_manifest(runs.lake, _manifest(status="running", attempt=2))
    runs.lock(_manifest()).acquire()
    assert lifecycle.fail(runs, "run-a", "late report", failed_attempt=1).status == "running"  # replaced attempt
    failed = lifecycle.fail(runs, "run-a", "ingest.ingest_chunk chunk 0 was delivered 4 times")
    assert failed.status == "failed" and "delivered 4 times" in failed.error
    assert runs.lock(_manifest()).holder() is None
    assert lifecycle.fail(runs, "run-a", "again").error == failed.error  # final: no second transition


def test_a_cancelled_or_failed_run_never_succeeds(runs: lifecycle.Runs) -> None:
    for status in ("cancelled", "failed"):
        model.save_manifest(runs.lake, _manifest(status=status, attempt=1))
        with pytest.raises(lifecycle.RunStopped, match=f"is {status}"):
            lifecycle.complete(runs, "run-a", {"marts": {}})
        with pytest.raises(lifecycle.RunStopped):
            lifecycle.check_live(runs, "run-a")
        assert model.load_manifest(runs.lake, "run-a").status == status


def test_a_task_of_a_replaced_attempt_may_not_publish(runs: lifecycle.Runs) -> None:
    model.save_manifest(runs.lake, _manifest(status="running", attempt=2, attempt_root_id="retry-root"))
    assert lifecycle.check_live(runs, "run-a", "retry-root").attempt == 2
    with pytest.raises(lifecycle.RunStopped, match="replaced by a retry"):
        lifecycle.check_live(runs, "run-a", "start-root")


@pytest.mark.parametrize(("status", "held", "refusal"), [
    ("succeeded", False, "already succeeded"),
    ("cancelled", False, "a cancelled run is final"),
    ("running", True, "is running"),
    ("planning", True, "is planning"),
])
def test_retry_refuses_with_the_reason(runs: lifecycle.Runs, status: str, held: bool, refusal: str) -> None:
    model.save_manifest(runs.lake, _manifest(status=status, attempt=1))
    if held:
        runs.lock(_manifest()).acquire()
    with pytest.raises(lifecycle.RunRefused, match=refusal):
        lifecycle.retry(runs, "run-a")


def test_retry_of_a_failed_run_or_of_one_whose_workers_vanished(runs: lifecycle.Runs) -> None:
    model.save_manifest(runs.lake, _manifest(status="failed", attempt=1, plan={"chunks": []}))
    assert lifecycle.retry(runs, "run-a")[1] == "ingest.retry_run"
    assert runs.lock(_manifest()).holder() == "run-a"
    runs.lock(_manifest()).release()  # e.g. Redis restarted: the running run's lock is gone
    model.save_manifest(runs.lake, _manifest(status="running", attempt=1))
    assert lifecycle.retry(runs, "run-a")[1] == "ingest.start_run"  # never planned: start again


def test_cancel_is_durable_withdraws_a_published_release_and_frees_the_lock(runs: lifecycle.Runs) -> None:
    plan = {"version": "run-a", "chunks": []}
    model.save_manifest(runs.lake, _manifest(status="running", attempt=1, plan=plan))
    runs.lock(_manifest()).acquire()
    catalog.publish(runs.lake, catalog.PublishedRelease(
        dataset="npidata_weekly", release=RELEASE, kind="weekly", version="run-a", files=[], rows=0,
        rows_quarantined=0, source_file="x.csv", source_sha256="0" * 64))  # finalize was done
    assert lifecycle.cancel(runs, "run-a") == 0
    assert model.load_manifest(runs.lake, "run-a").status == "cancelled"
    assert catalog.read(runs.lake, "npidata_weekly", RELEASE) is None  # no later build applies it
    assert runs.lock(_manifest()).holder() is None
    with pytest.raises(lifecycle.RunRefused, match="already cancelled"):
        lifecycle.cancel(runs, "run-a")


def test_the_embedded_writer_takes_the_redis_lock_when_redis_answers(runs: lifecycle.Runs) -> None:
    with lifecycle.release_held(runs.settings, runs.lake, "npidata_weekly", RELEASE, "v-embedded"):
        assert runs.lock(_manifest("run-b")).acquire() == "v-embedded"
        with pytest.raises(lifecycle.ReleaseBusy), lifecycle.release_held(
                runs.settings, runs.lake, "npidata_weekly", RELEASE, "v-other"):
            pass
    assert runs.lock(_manifest("run-b")).acquire() is None


def test_without_redis_a_local_lake_gets_a_file_lock(tmp_path: Path) -> None:
    settings = Settings(lake=str(tmp_path / "lake"), redis_url="redis://127.0.0.1:1/0")  # nothing listens
    lake = Lake(settings.lake, settings)
    with lifecycle.release_held(settings, lake, "npidata", RELEASE, "v-1"), pytest.raises(
            lifecycle.ReleaseBusy, match="another process"), lifecycle.release_held(
            settings, lake, "npidata", RELEASE, "v-2"):
        pass
    with lifecycle.release_held(settings, lake, "npidata", RELEASE, "v-2"):
        pass


def test_deliveries_count_redeliveries_not_retries(runs: lifecycle.Runs) -> None:
    assert [runs.live.deliver("t-1", 0) for _ in range(3)] == [1, 2, 3]  # the same message, lost 3 times
    assert runs.live.deliver("t-1", 1) == 1  # a Celery retry is a new message


def test_every_task_is_a_run_task_with_redacted_errors(monkeypatch) -> None:
    from careatlas.runs import guard
    from careatlas.shared import logging as log_setup
    from careatlas.shared.celery_app import create_app

    monkeypatch.setattr(log_setup, "_SECRETS", {"super-secret-value"})
    app: Celery = create_app(Settings())
    assert issubclass(app.Task, guard.RunTask)
    error = guard.redacted(PermissionError("S3 said no to super-secret-value"))
    assert isinstance(error, PermissionError) and str(error) == "S3 said no to ***"
    plain = ValueError("nothing secret")
    assert guard.redacted(plain) is plain


def test_a_step_claim_is_renewed_only_while_it_is_ours(runs: lifecycle.Runs, monkeypatch) -> None:
    """The finalize claim's heartbeat is compare-and-set: once it expired and another process
    took it, the heartbeat must not extend the other's claim (it would outlive a dead holder)."""
    from careatlas.runs import guard
    from careatlas.shared.settings import get_settings

    monkeypatch.setenv("CAREATLAS_REDIS_URL", runs.settings.redis_url)
    get_settings.cache_clear()
    key = "careatlas:claim:finalize:test"
    try:
        with guard.exclusive("finalize:test", ttl_s=3):
            assert runs.live.redis.get(key) is not None
            runs.live.redis.set(key, "another-process", ex=3)  # ours expired; another took it
            time.sleep(4)  # past its TTL: our heartbeat (every 1 s) must not have extended it
            assert runs.live.redis.get(key) is None
    finally:
        get_settings.cache_clear()


def test_a_fail_step_that_cannot_fail_the_run_at_once_sends_the_retrying_fail_run(
        runs: lifecycle.Runs, monkeypatch) -> None:
    """Failing a run is never swallowed: when the task's own fail step cannot reach Redis or the
    lake, it sends ``ingest.fail_run`` (retried until they answer), which fails the run."""
    import redis

    from careatlas.runs import guard
    from careatlas.runs.tasks import fail_run
    from careatlas.shared.celery_app import app
    from careatlas.shared.settings import get_settings

    monkeypatch.setenv("CAREATLAS_REDIS_URL", runs.settings.redis_url)
    get_settings.cache_clear()
    model.save_manifest(runs.lake, _manifest(status="running", attempt=1))
    runs.lock(_manifest()).acquire()

    def unreachable(*_args, **_kwargs):
        raise redis.ConnectionError("Redis went away")

    sent: list[tuple[str, dict]] = []
    real_fail = lifecycle.fail
    monkeypatch.setattr(guard.lifecycle, "fail", unreachable)
    monkeypatch.setattr(app, "send_task", lambda name, kwargs: sent.append((name, kwargs)))
    task, kwargs = app.tasks["ingest.complete_run"], {"run_id": "run-a", "lake": runs.lake.root}
    task.push_request(id="t-1", kwargs=kwargs, root_id=None)
    try:
        task.on_failure(PermissionError("S3 said no"), "t-1", (), kwargs, None)
    finally:
        task.pop_request()
        get_settings.cache_clear()
    assert sent == [("ingest.fail_run", {**kwargs, "reason": "PermissionError: S3 said no"})]
    assert model.load_manifest(runs.lake, "run-a").status == "running"  # not yet: the message will

    monkeypatch.setattr(guard.lifecycle, "fail", real_fail)  # Redis is back
    get_settings.cache_clear()
    try:
        fail_run.run(**sent[0][1])
    finally:
        get_settings.cache_clear()
    failed = model.load_manifest(runs.lake, "run-a")
    assert failed.status == "failed" and "S3 said no" in failed.error
    assert runs.lock(_manifest()).holder() is None


def test_a_dead_holders_claim_is_waited_for_in_the_same_delivery(runs: lifecycle.Runs, monkeypatch) -> None:
    """A finalize killed while it held its claim: the redelivery waits for the claim to lapse
    instead of becoming a Celery retry (a new message: the delivery cap would start again)."""
    from careatlas.runs import guard
    from careatlas.shared.settings import get_settings

    monkeypatch.setenv("CAREATLAS_REDIS_URL", runs.settings.redis_url)
    get_settings.cache_clear()
    runs.live.redis.set("careatlas:claim:finalize:dead", "killed-worker", ex=2)  # nobody renews it
    started = time.monotonic()
    try:
        with guard.exclusive("finalize:dead", ttl_s=2):  # no Celery task here: a retry would raise
            assert runs.live.redis.get("careatlas:claim:finalize:dead") != b"killed-worker"
    finally:
        get_settings.cache_clear()
    assert time.monotonic() - started < 6


def test_a_cancel_while_the_coordinator_plans_is_kept_and_nothing_is_launched(
        runs: lifecycle.Runs, monkeypatch) -> None:
    """Planning a national zip takes minutes; a cancel then (whose revoke a worker may never get)
    must not be overwritten by the coordinator's "running", nor a canvas be sent."""
    from careatlas.ingest import companions, prepare
    from careatlas.runs import tasks
    from careatlas.shared.documents import IngestPlan

    model.save_manifest(runs.lake, _manifest(status="planning"))
    plan = IngestPlan(dataset="npidata_weekly", kind="weekly", release=RELEASE, version="run-a", source_file="x.csv",
                      raw_key="raw/x.csv", raw_sha256="0" * 64, raw_bytes=1, legacy_header=False)

    def plan_while_cancelled(*_args, **_kwargs) -> IngestPlan:
        lifecycle.cancel(runs, "run-a")
        return plan

    launched: list[str] = []
    monkeypatch.setattr(prepare, "build_plan", plan_while_cancelled)
    monkeypatch.setattr(companions, "plan_all", lambda *_args, **_kwargs: [])
    monkeypatch.setattr(tasks, "launch", lambda *_args, **_kwargs: launched.append("canvas"))
    monkeypatch.setattr(lifecycle.Runs, "open", classmethod(lambda cls, *_args, **_kwargs: runs))
    tasks.start_run.push_request(id="coordinator-1")
    try:
        with pytest.raises(lifecycle.RunStopped, match="is cancelled"):
            tasks.start_run.run("run-a", runs.lake.root)
    finally:
        tasks.start_run.pop_request()
    assert model.load_manifest(runs.lake, "run-a").status == "cancelled" and launched == []
