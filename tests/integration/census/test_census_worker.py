"""The census task in real worker processes: Redis broker and lock, S3 lake, the fake API."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from celery import Celery
from celery.result import AsyncResult
from fakes.census_api import VALID_KEY, FakeCensus

from careatlas.census import cache
from careatlas.census.locks import redis_lock
from careatlas.shared.settings import Settings
from careatlas.shared.storage import open_lake

pytestmark = pytest.mark.integration
WAIT_S = 90


def wait_until_started(results: list[AsyncResult]) -> None:
    deadline = time.monotonic() + WAIT_S
    while any(r.state == "PENDING" for r in results):
        assert time.monotonic() < deadline, "the census worker never picked the tasks up"
        time.sleep(0.1)


def test_two_workers_asking_for_one_table_make_one_call(
    census_worker: Path, celery_client: Celery, census_env: dict[str, str], fake_census: FakeCensus
) -> None:
    lake = open_lake(settings=Settings())
    # hold the table's lock so both tasks are running and waiting on it at the same time
    with redis_lock(census_env["CAREATLAS_REDIS_URL"])(cache.lock_name(lake, 2022, "county")):
        sent = [celery_client.send_task("census.fetch_acs5", args=[2022, "county"]) for _ in range(2)]
        wait_until_started(sent)
        assert [r.state for r in sent] == ["STARTED", "STARTED"]
        assert fake_census.data_calls() == []
    results = [r.get(timeout=WAIT_S) for r in sent]
    assert sorted(r["source"] for r in results) == ["cache", "live"]
    assert len(fake_census.data_calls()) == 1
    key = results[0]["key"]
    assert key == "reference/census/acs5/year=2022/geo=county"
    frame = pl.read_parquet(lake.uri(f"{key}/data.parquet"), storage_options=lake.polars_storage_options())
    assert frame.height == results[0]["rows"] and frame["fips"].str.len_chars().unique().to_list() == [5]
    again = celery_client.send_task("census.fetch_acs5", args=[2022, "county"]).get(timeout=WAIT_S)
    assert again["source"] == "cache" and len(fake_census.data_calls()) == 1
    assert VALID_KEY not in census_worker.read_text()


def test_transient_failures_are_retried_by_celery_and_permanent_ones_are_not(
    census_worker: Path, celery_client: Celery, fake_census: FakeCensus
) -> None:
    fake_census.fail_next("503")  # a worker's client never retries: Celery does (the task's one retry layer)
    result = celery_client.send_task("census.fetch_acs5", args=[2021, "state"], kwargs={"refresh": True})
    assert result.get(timeout=WAIT_S)["source"] == "live"
    assert len(fake_census.data_calls()) == 2
    fake_census.unknown.add("B99999_001E")
    failed = celery_client.send_task("census.fetch_acs5", args=[2021, "county"], kwargs={"variables": ["B99999_001E"]})
    with pytest.raises(Exception, match="unknown variable 'B99999_001E'"):
        failed.get(timeout=WAIT_S)
    assert len(fake_census.data_calls()) == 3
    assert VALID_KEY not in (failed.traceback or "") and VALID_KEY not in census_worker.read_text()
