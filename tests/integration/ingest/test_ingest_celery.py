"""Ingest through real Celery worker processes on Redis, writing to a real S3 API."""

from __future__ import annotations

import hashlib
import time

import polars as pl
import pytest
from support import nppes_rows
from support.workers import client_app, worker_env, workers

from careatlas.ingest.chunk import ingest_chunk
from careatlas.ingest.models import IngestPlan
from careatlas.nppes import landing
from careatlas.runs.live import ReleaseLock, RunStore
from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import open_lake

pytestmark = pytest.mark.integration
NAME = "npidata_pfile_20050523-20250407.csv"


def test_ingest_runs_on_celery_workers_into_s3(tmp_path, redis_urls, s3_env) -> None:
    env = worker_env(redis_urls, {**s3_env, "CAREATLAS_CHUNK_BYTES": "30000", "CAREATLAS_PARSE_BATCH_BYTES": "8000"})
    lake = open_lake(s3_env["CAREATLAS_LAKE"], Settings())
    rows = nppes_rows.many(200)
    rows[5] = nppes_rows.provider(5, last_update_date="2025-13-01")
    file = landing.source_file(str(nppes_rows.write(tmp_path / NAME, rows)))
    raw_key, _sha, _size = landing.land(lake, file, "2025-04-07")

    with workers("ingest", "ingest", env, tmp_path, count=2):
        app = client_app(env)
        result = app.send_task("ingest.ingest_nppes", kwargs={"raw_key": raw_key, "release": "2025-04-07",
                                                               "run_id": "run-celery-1"})
        summary = result.get(timeout=180)

    assert summary["rows_read"] == 200 and summary["rows_written"] == 199 and summary["rows_quarantined"] == 1
    pointer = catalog.read(lake, "npidata", "2025-04-07")
    assert pointer.version == "run-celery-1" and all(k.startswith("nppes/npidata/") for k in pointer.files)
    data = pl.read_parquet([lake.uri(k) for k in pointer.files], storage_options=lake.polars_storage_options(),
                           hive_partitioning=False)
    assert data.height == 199 and data["npi"].n_unique() == 199
    assert lake.list("_staging") == []


def test_outside_a_run_finalize_waits_for_the_release_a_run_holds(tmp_path, redis_urls, s3_env) -> None:
    """``ingest.ingest_nppes`` writes a release too: it takes the release lock (issue 14 item 6),
    so it neither publishes nor deletes versions while a run holds the release."""
    env = worker_env(redis_urls, {**s3_env, "CAREATLAS_CHUNK_BYTES": "30000"})
    lake = open_lake(s3_env["CAREATLAS_LAKE"], Settings())
    file = landing.source_file(str(nppes_rows.write(tmp_path / NAME, nppes_rows.many(120))))
    raw_key, _sha, _size = landing.land(lake, file, "2025-04-07")
    held = ReleaseLock(RunStore.from_url(redis_urls["state"]), lake.root, "npidata", "2025-04-07", "run-other", 60)
    assert held.acquire() is None

    with workers("ingest", "ingest", env, tmp_path, count=1):
        result = client_app(env).send_task("ingest.ingest_nppes", kwargs={"raw_key": raw_key, "release": "2025-04-07"})
        deadline = time.monotonic() + 120
        while not [k for k in lake.list("_staging") if k.endswith(".json") and "/results/" in k]:
            assert time.monotonic() < deadline, "no chunk result in staging"
            time.sleep(0.5)
        for _ in range(24):  # the chunks are done: finalize would have published by now
            assert catalog.read(lake, "npidata", "2025-04-07") is None
            assert held.holder() == "run-other"
            time.sleep(0.5)
        held.release()
        summary = result.get(timeout=180)

    assert summary["rows_read"] == 120
    assert catalog.read(lake, "npidata", "2025-04-07").version == summary["version"]


def test_a_chunk_run_twice_writes_identical_output(tmp_path, s3_env) -> None:
    from careatlas.ingest import prepare

    lake = open_lake(s3_env["CAREATLAS_LAKE"], Settings())
    file = landing.source_file(str(nppes_rows.write(tmp_path / NAME, nppes_rows.many(120))))
    raw_key, sha, size = landing.land(lake, file, "2025-04-07")
    plan: IngestPlan = prepare.build_plan(lake, raw_key, sha, size, release="2025-04-07", kind="full",
                                          version="v-twice", chunk_bytes=20_000)
    spec = plan.chunks[1]

    def outputs() -> dict[str, str]:
        return {k: hashlib.sha256(lake.read_bytes(k)).hexdigest()
                for k in lake.list("_staging") if "chunk=00001" in k and k.endswith(".parquet")}

    first = ingest_chunk(lake, spec, block_bytes=6_000)
    before = outputs()
    second = ingest_chunk(lake, spec, block_bytes=6_000)
    assert outputs() == before  # same keys, same bytes: a retry replaces exactly its own output
    assert set(before) == set(first.outputs.values()) and len(before) == len(first.state_rows) > 1
    assert (first.rows_read, first.rows_written, first.state_rows) == (
        second.rows_read, second.rows_written, second.state_rows)
