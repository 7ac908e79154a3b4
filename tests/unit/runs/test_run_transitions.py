"""A run ends exactly once (careatlas.runs.lifecycle), on the embedded default's record alone: a
local lake and no Redis (``Runs.live`` is None). Late reports of a replaced attempt move nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from careatlas.runs import lifecycle, model
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

RUN = "run-1"


@pytest.fixture
def runs(tmp_path: Path) -> lifecycle.Runs:
    return lifecycle.Runs(Settings(), Lake(str(tmp_path / "lake")), None)


def _save(runs: lifecycle.Runs, status: model.RunStatus = "running") -> model.RunManifest:
    manifest = model.RunManifest(run_id=RUN, status=status, attempt=2, attempt_root_id="retry-root",
                                 release="2025-01-12", kind="full", dataset="npidata", raw_key="raw/x.csv",
                                 raw_sha256="0" * 64, raw_bytes=1)
    model.save_manifest(runs.lake, manifest)
    return manifest


def _stored(runs: lifecycle.Runs) -> model.RunManifest:
    return model.load_manifest(runs.lake, RUN)


def test_a_run_fails_once_and_keeps_its_first_reason(runs: lifecycle.Runs) -> None:
    _save(runs)
    failed = lifecycle.fail(runs, RUN, "chunk 3 could not be read")
    assert (failed.status, failed.error) == ("failed", "chunk 3 could not be read") and failed.finished_at
    assert _stored(runs) == failed
    assert lifecycle.fail(runs, RUN, "a second report") == failed  # no second ending
    assert _stored(runs) == failed


@pytest.mark.parametrize("status", ["succeeded", "cancelled"])
def test_a_final_run_is_never_failed(runs: lifecycle.Runs, status: model.RunStatus) -> None:
    before = _save(runs, status)
    assert lifecycle.fail(runs, RUN, "late") == before and _stored(runs) == before


def test_a_late_failure_of_a_replaced_attempt_fails_nothing(runs: lifecycle.Runs) -> None:
    before = _save(runs)
    assert lifecycle.fail(runs, RUN, "attempt 1 broke", failed_attempt=1) == before
    assert _stored(runs).status == "running"
    assert lifecycle.fail(runs, RUN, "attempt 2 broke", failed_attempt=2).status == "failed"


def test_failing_a_run_the_lake_does_not_hold_is_no_error(runs: lifecycle.Runs) -> None:
    assert lifecycle.fail(runs, "run-unknown", "x") is None


def test_a_run_succeeds_once(runs: lifecycle.Runs) -> None:
    _save(runs)
    done = lifecycle.complete(runs, RUN, {"marts": 3})
    assert (done.status, done.result) == ("succeeded", {"marts": 3}) and _stored(runs) == done
    assert lifecycle.complete(runs, RUN, {"marts": 4}) == done  # a redelivered complete changes nothing
    assert _stored(runs) == done


@pytest.mark.parametrize("status", ["failed", "cancelled", "planning"])
def test_only_a_running_run_can_succeed(runs: lifecycle.Runs, status: model.RunStatus) -> None:
    before = _save(runs, status)
    with pytest.raises(lifecycle.RunStopped, match=f"is {status}; it cannot succeed"):
        lifecycle.complete(runs, RUN, {})
    assert _stored(runs) == before


@pytest.mark.parametrize(("status", "root_id", "refusal"), [
    ("failed", "retry-root", "is failed: nothing of it is published"),
    ("succeeded", None, "is succeeded: nothing of it is published"),
    ("running", "start-root", "a task of attempt 1, replaced by a retry"),
])
def test_a_step_of_a_final_run_or_a_replaced_attempt_may_not_write(
        runs: lifecycle.Runs, status: model.RunStatus, root_id: str | None, refusal: str) -> None:
    _save(runs, status)
    with pytest.raises(lifecycle.RunStopped, match=refusal):
        lifecycle.check_live(runs, RUN, root_id)


@pytest.mark.parametrize(("status", "root_id"), [("running", "retry-root"), ("running", None), ("planning", None)])
def test_a_step_of_the_current_attempt_may_write(runs: lifecycle.Runs, status: model.RunStatus,
                                                 root_id: str | None) -> None:
    saved = _save(runs, status)
    assert lifecycle.check_live(runs, RUN, root_id) == saved
