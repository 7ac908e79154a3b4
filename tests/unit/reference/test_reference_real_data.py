"""The real reference files (../shared/reference, skipped when absent) load with their known counts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from careatlas.ingest.reference.load import load_reference
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


def test_nucc_251_has_883_codes(reference_dir: Path, lake: Lake) -> None:
    result = load_reference(lake, "nucc", str(reference_dir / "nucc_taxonomy_251.csv"), settings=Settings())
    frame = pl.read_parquet(lake.uri(result.key))
    assert result.rows == frame.height == frame["Code"].n_unique() == 883
    assert result.sha256 == "f824bb50c01b721be2277eeef222b0aeb5839de07a82b25ef292df1753695a0f"
    assert frame.filter(pl.col("Code") == "207Q00000X")["Classification"].to_list() == ["Family Medicine"]


@pytest.fixture(scope="module")
def hud_frames(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    lake = Lake(str(tmp_path_factory.mktemp("lake")), Settings())
    frames = {}
    for name in ("ZIP_COUNTY_032023.xlsx", "ZIP_COUNTY_032023.converted.csv"):
        result = load_reference(lake, "hud", str(reference_dir / name), settings=Settings())
        assert result.key == "geographic/hud_zip_county/vintage=2023Q1/data.parquet"
        frames[name] = pl.read_parquet(lake.uri(result.key))
    return frames


@pytest.mark.parametrize("name", ["ZIP_COUNTY_032023.xlsx", "ZIP_COUNTY_032023.converted.csv"])
def test_hud_2023q1_has_54447_rows_and_39501_zips(hud_frames: dict[str, pl.DataFrame], name: str) -> None:
    frame = hud_frames[name]
    assert frame.height == 54_447 and frame["ZIP"].n_unique() == 39_501
    assert set(frame["ZIP"].str.len_chars()) == {5} and set(frame["COUNTY"].str.len_chars()) == {5}
    totals = frame.group_by("ZIP").agg(pl.col("TOT_RATIO").cast(pl.Float64).sum())
    assert totals["TOT_RATIO"].is_between(0.999, 1.001).all()


def test_hud_xlsx_and_its_csv_export_hold_the_same_numbers(hud_frames: dict[str, pl.DataFrame]) -> None:
    keys, ratios = ["ZIP", "COUNTY"], ["RES_RATIO", "BUS_RATIO", "OTH_RATIO", "TOT_RATIO"]
    xlsx, csv = (
        frame.select(*keys, "USPS_ZIP_PREF_CITY", *(pl.col(r).cast(pl.Float64) for r in ratios)).sort(keys)
        for frame in hud_frames.values()
    )
    assert xlsx.equals(csv)
