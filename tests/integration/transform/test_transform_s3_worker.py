"""The transform on a real S3 API (moto_server) through DuckDB httpfs, run by a real Celery
worker process on Redis: sources read in place from s3://, marts and `latest` written back."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixtures import scenario

from careatlas.shared import layout
from careatlas.shared.celery_app import create_app
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(s3_env: dict[str, str], redis_urls: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        **s3_env,
        "CAREATLAS_BROKER_URL": redis_urls["broker"],
        "CAREATLAS_RESULT_BACKEND": redis_urls["backend"],
        "CAREATLAS_REDIS_URL": redis_urls["state"],
        "CAREATLAS_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "DO_NOT_TRACK": "1",
    }


@pytest.fixture
def transform_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen]:
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  closed after the process
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "careatlas.transform.worker", "worker", "-Q", "transform",
         "--pool=solo", "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        env=worker_env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_build_marts_task_on_s3_lake(worker_env: dict[str, str], transform_worker, tmp_path: Path) -> None:
    lake = Lake(worker_env["CAREATLAS_LAKE"], Settings())
    scenario.write_baseline(lake)
    client = create_app(Settings(broker_url=worker_env["CAREATLAS_BROKER_URL"],
                                 result_backend=worker_env["CAREATLAS_RESULT_BACKEND"]))

    pending = client.send_task("transform.build_marts", kwargs={"run_id": "s3-run"})
    try:
        result = pending.get(timeout=240)
    except Exception:
        print((tmp_path / "worker.log").read_text()[-5000:])
        raise

    assert result["rebaseline"] is True and "fail" not in result["tests"]
    pointer = lake.read_json(layout.marts_latest())
    assert pointer["run_id"] == "s3-run"
    access = pl.read_parquet(io.BytesIO(lake.read_bytes(pointer["marts"]["fct_county_access"])))
    chittenden = access.filter(pl.col("county_fips") == scenario.CHITTENDEN).to_dicts()[0]
    assert chittenden["people_per_primary_care_provider"] == 3500
    assert chittenden["is_primary_care_shortage"] is True
    assert lake.exists(pointer["dbt_run_results"])
    # the E2SFCA dbt Python model and the supply history run in the worker too (docs/spatial-access.md)
    spatial = pl.read_parquet(io.BytesIO(lake.read_bytes(pointer["marts"]["fct_county_spatial_access"])))
    assert spatial.filter(pl.col("county_fips") == scenario.CHITTENDEN)["access_per_100k"].min() > 0
    assert pointer["rows"]["fct_county_supply_history"] > 0

    secret = worker_env["CAREATLAS_S3_SECRET_ACCESS_KEY"].encode()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".log", ".json", ".sql")]
    assert written and not [p for p in written if secret in p.read_bytes()]  # dbt logs and artifacts

    with duckdb.connect(worker_env["CAREATLAS_WAREHOUSE_PATH"], read_only=True) as con:
        view = con.execute("select sql from duckdb_views() where view_name = 'nppes_npidata_full'").fetchone()
    assert lake.uri("nppes/npidata").startswith("s3://") and lake.uri("nppes/npidata") in view[0]
