"""Which run attempt a task's report belongs to: late reports of a replaced attempt never fail
the current one, even when Redis lost their task records."""

from __future__ import annotations

from careatlas.runs import model


def _manifest(attempt: int, root: str | None) -> model.RunManifest:
    return model.RunManifest(run_id="run-1", release="2025-01-12", kind="full", dataset="npidata",
                            raw_key="raw/x.csv", raw_sha256="0" * 64, raw_bytes=1,
                            attempt=attempt, attempt_root_id=root)


def test_a_task_of_the_current_attempts_workflow_is_the_current_attempt() -> None:
    assert model.attempt_of(_manifest(2, "retry-coordinator"), "retry-coordinator") == 2


def test_a_task_of_an_earlier_attempts_workflow_is_an_earlier_attempt() -> None:
    # e.g. a chunk of the first attempt failing after a Redis restart and a `retry`
    assert model.attempt_of(_manifest(2, "retry-coordinator"), "start-coordinator") < 2


def test_without_a_root_to_compare_the_task_is_the_current_attempt() -> None:
    # a task sent outside a workflow, or a manifest written before roots were recorded
    assert model.attempt_of(_manifest(1, "start-coordinator"), None) == 1
    assert model.attempt_of(_manifest(1, None), "anything") == 1
    assert model.attempt_of(None, "anything") == 0
