"""Fixtures with real services: Redis on 127.0.0.1:6379 and an S3 endpoint (moto_server)
started by the test run. Where a Docker engine exists, testcontainers provides Redis instead
when none is listening locally."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.stack import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real reference files (../shared/reference or $CAREATLAS_REFERENCE_DIR)."""
    path = Path(os.environ.get("CAREATLAS_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
    if not (path / "nppes_columns.txt").is_file():
        pytest.skip(f"reference data not found at {path}")
    return path


# ------------------------------------------------------------------ Redis
def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_base_url() -> Iterator[str]:
    url = os.environ.get("CAREATLAS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    if _redis_up(url):
        yield url
        return
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as container:
            yield f"redis://{container.get_container_host_ip()}:{container.get_exposed_port(6379)}"
        return
    pytest.fail(f"integration tests need Redis at {url} (see README: Redis) and no Docker engine is available")


@pytest.fixture
def redis_urls(redis_base_url: str) -> Iterator[dict[str, str]]:
    """Three fresh Redis databases (broker, results, run state), flushed before and after.
    Under pytest-xdist each worker gets its own three, from the top (gw0: 13-15, gw1: 10-12, ...)."""
    import redis

    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if worker > 4:
        pytest.fail("Redis has 16 databases, three per xdist worker: run at most 5 workers (-n 5)")
    first = 13 - 3 * worker
    dbs = {"broker": first, "backend": first + 1, "state": first + 2}
    urls = {name: f"{redis_base_url}/{db}" for name, db in dbs.items()}
    for url in urls.values():
        redis.Redis.from_url(url).flushdb()
    yield urls
    for url in urls.values():
        redis.Redis.from_url(url).flushdb()


# ------------------------------------------------------------------ S3 (moto_server)
@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 HTTP API on loopback for the whole session."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for an S3 lake on the test endpoint, with a fresh bucket."""
    import boto3

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    env = {
        "CAREATLAS_LAKE": f"s3://{bucket}/lake",
        "CAREATLAS_S3_ENDPOINT_URL": s3_endpoint,
        "CAREATLAS_S3_REGION": "us-east-1",
        "CAREATLAS_S3_ACCESS_KEY_ID": "testing",
        "CAREATLAS_S3_SECRET_ACCESS_KEY": "testing-secret",
    }
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing-secret",
    ).create_bucket(Bucket=bucket)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def settings_factory():
    """Build Settings from explicit values, ignoring the process environment's lake."""
    from careatlas.shared.settings import Settings

    def make(**values):
        return Settings(**values)

    return make


@pytest.fixture(autouse=True)
def _isolate_settings() -> Iterator[None]:
    """CLI commands make their options the process's settings (``--lake``), settings are cached per
    process and tests set the environment: put all three back after every test so no test sees
    another's configuration."""
    from careatlas.shared.settings import reset_settings

    saved = {k: v for k, v in os.environ.items() if k.startswith("CAREATLAS_")}
    yield
    for key in [k for k in os.environ if k.startswith("CAREATLAS_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)
    reset_settings()
