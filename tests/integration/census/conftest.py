from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from fakes.census_api import VALID_KEY, FakeCensus

from careatlas.shared.celery_app import create_app
from careatlas.shared.settings import Settings, get_settings


@pytest.fixture
def fake_census() -> Iterator[FakeCensus]:
    with FakeCensus() as server:
        yield server


@pytest.fixture
def census_env(
    redis_urls: dict[str, str], s3_env: dict[str, str], fake_census: FakeCensus, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Distributed mode: Redis broker/results/locks, an S3 lake, the fake API (also set here)."""
    env = {
        **s3_env,
        "CAREATLAS_BROKER_URL": redis_urls["broker"],
        "CAREATLAS_RESULT_BACKEND": redis_urls["backend"],
        "CAREATLAS_REDIS_URL": redis_urls["state"],
        "CAREATLAS_CENSUS_API_KEY": VALID_KEY,
        "CAREATLAS_CENSUS_BASE_URL": fake_census.url,
        "CAREATLAS_CENSUS_MAX_RETRIES": "5",  # the worker ignores it: Celery is its one retry layer
        "CAREATLAS_LOG_FORMAT": "json",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


@pytest.fixture
def census_worker(census_env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    """A real ``celery -A careatlas.census.worker`` process (2 prefork children) on the census queue."""
    log_path = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "careatlas.census.worker", "worker", "-Q", "census",
        "--concurrency", "2", "--pool", "prefork", "--hostname", f"census-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env={**os.environ, **census_env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield log_path
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
def celery_client(census_env: dict[str, str]) -> Celery:
    return create_app(Settings())
