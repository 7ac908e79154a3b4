"""Import a saved API response (JSON) or a CSV with the API's column names into the cache.

This is how runs work offline: e.g. ``pop_2015_county.csv`` (``B01003_001E,NAME,GEOID,state,
county``) becomes the ``year=2015/geo=county`` entry, marked ``imported``. Every column is
read as text so state and county codes keep their leading zeros.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

import polars as pl
import structlog

from careatlas.census import acs
from careatlas.census import variables as acs_vars
from careatlas.census.cache import (
    Clock,
    FetchResult,
    data_key,
    lock_name,
    new_metadata,
    now_utc,
    store,
)
from careatlas.census.errors import CensusDataError
from careatlas.census.locks import LockFactory, file_lock
from careatlas.shared import layout
from careatlas.shared.documents import CensusMetadata
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)


def import_snapshot(
    lake: Lake,
    path: Path,
    *,
    year: int,
    geo: str | None = None,
    lock: LockFactory | None = None,
    clock: Clock = now_utc,
) -> FetchResult:
    """Put a snapshot in the cache entry of its year and geography, marked ``imported``."""
    year, data, loaded_at = acs_vars.check_year(year), Path(path).read_bytes(), clock()
    try:
        frame, geo, present = snapshot_frame(data, year=year, geo=geo, loaded_at=loaded_at)
    except CensusDataError as error:
        raise CensusDataError(f"{path}: {error}") from None
    sha256 = hashlib.sha256(data).hexdigest()
    entry = new_metadata(
        year, geo, present, [], loaded_at, source="imported", source_file=Path(path).name, source_sha256=sha256
    )  # fmt: skip
    with (lock or file_lock())(lock_name(lake, year, geo)):
        entry = store(lake, frame, entry)
    log.info("census snapshot imported", key=entry.key, rows=entry.rows, source_file=entry.source_file)
    return FetchResult(entry.key, data_key(year, geo), entry.rows, "imported", entry.variables)


def snapshot_frame(
    data: bytes, *, year: int, geo: str | None, loaded_at: datetime
) -> tuple[pl.DataFrame, str, list[str]]:
    """The cache table of a snapshot, its geography and the variables it really has."""
    raw = read_snapshot(data)
    geo, present = _geography(raw, geo), acs.variables_in(raw.columns)
    if not present:
        raise CensusDataError(f"no ACS variable columns (e.g. B01003_001E) among {raw.columns}")
    return acs.to_cache_frame(raw, year=year, geo=geo, loaded_at=loaded_at), geo, present


def read_snapshot(data: bytes) -> pl.DataFrame:
    """A JSON API response (array of arrays) or a CSV, every column as text."""
    text = data.decode("utf-8-sig", errors="strict").lstrip()
    if text.startswith("["):
        try:
            table = json.loads(text)
        except ValueError as error:
            raise CensusDataError(f"not valid JSON: {error}") from None
        if not (isinstance(table, list) and len(table) > 1 and all(isinstance(r, list) for r in table)):
            raise CensusDataError("JSON is not an API table (a header row, then data rows)")
        header, *rows = table
        return pl.DataFrame(rows, schema={str(name): pl.String for name in header}, orient="row")
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def _geography(raw: pl.DataFrame, geo: str | None) -> str:
    found = "county" if "county" in raw.columns else "state" if "state" in raw.columns else None
    if found is None:
        raise CensusDataError("no state or county column, so the geography is unknown")
    if geo and geo != found:
        raise CensusDataError(f"asked for geo={geo} but the file has {found} rows")
    return found


def states_from_counties(lake: Lake, *, year: int, lock: LockFactory | None = None,
                         clock: Clock = now_utc) -> FetchResult:
    """The state entry of a year summed from its county entry, marked ``derived``.

    For offline runs whose snapshot has counties only. Counts add up exactly (population, age,
    poverty and insurance cells); medians do not, so median household income stays null."""
    year = acs_vars.check_year(year)
    counties = pl.read_parquet(lake.read_bytes(data_key(year, "county")))
    county_entry = lake.read_model(layout.census_acs5_metadata(year, "county"), CensusMetadata)
    additive = [v for v in county_entry.variables if v != acs_vars.MEDIAN_HOUSEHOLD_INCOME]
    states = (
        counties.group_by("state")
        .agg(pl.col("NAME").first().str.split(", ").list.last().alias("NAME"), *(pl.col(v).sum() for v in additive))
        .with_columns(pl.col("state").alias("fips"))
        .sort("state")
    )
    frame = pl.concat([counties.head(0).drop("county"), states], how="diagonal_relaxed").select(
        counties.drop("county").columns
    ).with_columns(pl.lit(year, pl.Int32).alias("year"), pl.lit(clock(), pl.Datetime("us", "UTC")).alias("_loaded_at"))
    entry = new_metadata(year, "state", additive, [], clock(), source="derived",
                         source_file=layout.census_acs5_data(year, "county"))
    with (lock or file_lock())(lock_name(lake, year, "state")):
        entry = store(lake, frame, entry)
    log.info("census state table derived from counties", key=entry.key, rows=entry.rows)
    return FetchResult(entry.key, data_key(year, "state"), entry.rows, "derived", entry.variables)
