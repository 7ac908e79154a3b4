"""Imported snapshots (saved API JSON or CSV) land in the same cache and serve offline runs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from careatlas.census import cache
from careatlas.census import variables as v
from careatlas.census.errors import CensusDataError, CensusUnavailable
from careatlas.census.locks import LockFactory
from careatlas.census.snapshot import import_snapshot
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

POP_CSV = (
    "B01003_001E,NAME,GEOID,state,county\n"
    '3304,"Aleutians East Borough, Alaska",05000US02013,02,013\n'
    '55221,"Autauga County, Alabama",05000US01001,01,001\n'
    '-666666666,"Kalawao County, Hawaii",05000US15005,15,005\n'
)
OFFLINE = Settings(census_api_key=None, census_base_url="http://127.0.0.1:9/data")


def test_csv_snapshot_keeps_leading_zeros(tmp_path: Path, lake: Lake, lock: LockFactory) -> None:
    source = tmp_path / "pop.csv"
    source.write_text(POP_CSV)
    result = import_snapshot(lake, source, year=2015, lock=lock)
    assert (result.source, result.rows, result.variables) == ("imported", 3, ["B01003_001E"])
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert frame["fips"].to_list() == ["02013", "01001", "15005"]
    assert frame["B01003_001E"].to_list() == [3304.0, 55221.0, None]
    assert frame["B19013_001E"].null_count() == 3 and "GEOID" not in frame.columns
    meta = lake.read_json(f"{result.key}/metadata.json")
    assert meta["source"] == "imported" and meta["source_file"] == "pop.csv"
    assert meta["variables"] == ["B01003_001E"] and meta["requests"] == []


def test_json_snapshot_of_an_api_response(tmp_path: Path, lake: Lake, lock: LockFactory) -> None:
    source = tmp_path / "acs5_2019_state.json"
    source.write_text(
        json.dumps(
            [
                ["NAME", "B01003_001E", "B19013_001E", "state"],
                ["Alabama", "4876250", "50536", "01"],
                ["Alaska", "737068", None, "02"],
            ]
        )
    )
    result = import_snapshot(lake, source, year=2019, lock=lock)
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert result.key.endswith("geo=state") and frame["B19013_001E"].to_list() == [50536.0, None]


def test_an_imported_entry_serves_offline_requests_it_covers(tmp_path: Path, lake: Lake, lock: LockFactory) -> None:
    source = tmp_path / "pop.csv"
    source.write_text(POP_CSV)
    import_snapshot(lake, source, year=2015, lock=lock)
    # imported snapshots do not age: offline runs depend on them
    hit = cache.get_or_fetch(lake, 2015, "county", variables=["B01003_001E"], settings=OFFLINE, lock=lock)
    assert hit.source == "cache"
    # the default set is not in the snapshot: that needs the API, which is unreachable here
    offline = OFFLINE.model_copy(update={"census_max_retries": 0})
    with pytest.raises(CensusUnavailable, match="cannot reach the Census API"):
        cache.get_or_fetch(lake, 2015, "county", settings=offline, lock=lock)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NAME,GEOID,state,county\nA,x,01,001\n", "no ACS variable columns"),
        ("B01003_001E,NAME,GEOID\n5,A,x\n", "no state or county column"),
        ("B01003_001E,NAME,state,county\n5,A,01,001\nfive,B,01,003\n", "B01003_001E.*'five'.*row 2"),
        ("B01003_001E,NAME,state,county\n5,A,01,001\n6,B,AL,003\n", "bad state code.*row 2: 'AL'"),
        ('[["NAME","B01003_001E"', "not valid JSON"),
    ],
)
def test_a_bad_snapshot_is_refused_naming_the_file(
    tmp_path: Path, lake: Lake, lock: LockFactory, text: str, message: str
) -> None:
    source = tmp_path / "snapshot.csv"
    source.write_text(text)
    with pytest.raises(CensusDataError, match=f"snapshot.csv: .*{message}"):
        import_snapshot(lake, source, year=2015, lock=lock)
    assert lake.list() == []


def test_geography_asked_for_must_match_the_file(tmp_path: Path, lake: Lake, lock: LockFactory) -> None:
    source = tmp_path / "pop.csv"
    source.write_text(POP_CSV)
    with pytest.raises(CensusDataError, match="geo=state but the file has county rows"):
        import_snapshot(lake, source, year=2015, geo="state", lock=lock)


def test_real_2015_county_population(reference_dir: Path, lake: Lake, lock: LockFactory) -> None:
    result = import_snapshot(lake, reference_dir / "census" / "pop_2015_county.csv", year=2015, lock=lock)
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert result.rows == frame.height == 3220
    assert frame["fips"].str.len_chars().unique().to_list() == [5]
    assert frame["fips"].n_unique() == 3220
    assert frame.filter(pl.col("fips") == "02013")["B01003_001E"].to_list() == [3304.0]
    assert frame.filter(pl.col("state") != "72")["B01003_001E"].sum() == 316_515_021
    assert frame.columns[4 : 4 + len(v.DEFAULT_VARIABLES)] == v.DEFAULT_VARIABLES
