"""A failed task's error is redacted before it is stored: Redis, the lake's task record and the
run manifest (review M4), with the worker's secrets registered by the setup_logging hook."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery import signals

from careatlas.runs import model
from careatlas.runs.live import RunStore
from careatlas.shared import celery_app
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration
SECRET = "s3-secret-from-the-environment"


def test_a_failed_tasks_error_is_stored_redacted(tmp_path: Path, redis_urls: dict, monkeypatch) -> None:
    monkeypatch.setattr(log_setup, "_SECRETS", set())
    monkeypatch.setenv("CAREATLAS_S3_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("CAREATLAS_REDIS_URL", redis_urls["state"])
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    get_settings.cache_clear()
    signals.setup_logging.send(sender=None)  # what a worker does at start-up
    lake, store = Lake(str(tmp_path / "lake")), RunStore.from_url(redis_urls["state"])
    manifest = model.RunManifest(run_id="run-1", release="2025-04-07", kind="full", dataset="npidata",
                                raw_key="raw/x.csv", raw_sha256="0" * 64, raw_bytes=1, status="running", attempt=1)
    model.save_manifest(lake, manifest)
    task = celery_app.app.tasks["celery.backend_cleanup"]  # every task is a RunTask (the app's task_cls)
    kwargs = {"run_id": "run-1", "lake": str(tmp_path / "lake")}
    task.push_request(id="t-1", kwargs=kwargs, root_id=None)
    try:  # what Celery's tracer calls when a task fails for good: the explicit fail step
        task.on_failure(PermissionError(f"S3 said no to {SECRET}"), "t-1", (), kwargs, None)
    finally:
        task.pop_request()
    stored = [store.get_task("run-1", "t-1").error, model.load_tasks(lake, "run-1")["t-1"].error,
              model.load_manifest(lake, "run-1").error]
    assert all("PermissionError: S3 said no to ***" in text for text in stored), stored
    assert not any(SECRET in text for text in stored)
