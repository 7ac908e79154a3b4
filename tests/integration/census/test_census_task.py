"""The census task body called directly (no broker): S3 lake, Redis lock, the fake API."""

from __future__ import annotations

import polars as pl
import pytest
from fakes.census_api import FakeCensus

from careatlas.census.tasks import fetch_acs5
from careatlas.shared.settings import Settings
from careatlas.shared.storage import open_lake

pytestmark = pytest.mark.integration


def test_task_contract(census_env: dict[str, str], fake_census: FakeCensus) -> None:
    assert fetch_acs5.name == "census.fetch_acs5" and fetch_acs5.acks_late
    result = fetch_acs5.run(2012, "state", variables=["B27010_001E"])
    assert set(result) >= {"key", "rows", "source", "variables"} and result["source"] == "live"
    assert result["rows"] == 6 and "B27010_001E" in result["variables"]
    lake = open_lake(settings=Settings())
    assert lake.is_s3 and lake.exists(f"{result['key']}/metadata.json")
    frame = pl.read_parquet(lake.uri(f"{result['key']}/data.parquet"), storage_options=lake.polars_storage_options())
    assert frame["B27010_001E"].null_count() == 0
    assert fetch_acs5.run(2012, "state")["source"] == "cache"
    assert len(fake_census.data_calls()) == 1
