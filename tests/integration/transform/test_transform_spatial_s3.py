"""The spatial access and supply history models on an S3 lake (moto), built in-process with the
s3 dbt profile: the dbt Python model and the never-refreshed history run there as on a folder."""

from __future__ import annotations

import io

import polars as pl
import pytest
from fixtures import scenario

from careatlas.shared import layout
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake
from careatlas.transform.build import build_marts


def test_spatial_and_history_marts_on_s3(s3_env: dict[str, str], tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = Settings(warehouse_path=tmp_path / "warehouse.duckdb")
    lake = Lake(settings.lake, settings)
    assert lake.is_s3
    scenario.write_baseline(lake)

    result = build_marts(None, "s3-spatial", settings=settings)

    assert result["rebaseline"] is True and "fail" not in result["tests"]
    pointer = lake.read_json(layout.marts_latest())
    mart = lambda name: pl.read_parquet(io.BytesIO(lake.read_bytes(pointer["marts"][name])))  # noqa: E731
    county = mart("fct_county_spatial_access").filter(pl.col("county_fips") == scenario.CHITTENDEN)
    assert county.height == 3 and county["access_per_100k"].min() > 0
    history = mart("fct_county_supply_history")
    chittenden = history.filter(
        (pl.col("county_fips") == scenario.CHITTENDEN) & (pl.col("discipline") == "primary_care"))
    assert float(chittenden["providers"][0]) == 2.0
