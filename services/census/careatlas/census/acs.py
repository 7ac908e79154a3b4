"""Census responses and snapshots -> the cache table (pure: no I/O, no settings, no logging).

The cache table is a contract read by dbt staging: NAME, state, county (county geography
only), fips, one Float64 column per default variable (all-null when the source lacks it),
then extra variables, year (Int32) and _loaded_at (UTC).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from careatlas.census import variables as acs_vars
from careatlas.census.errors import CensusDataError

# ACS annotation values that stand in for "no estimate" (not real negative numbers)
SENTINELS = [
    -111111111.0,
    -222222222.0,
    -333333333.0,
    -555555555.0,
    -666666666.0,
    -888888888.0,
    -999999999.0,
]
GEO_COLUMNS = {"county": ["state", "county"], "state": ["state"]}
_FIPS_WIDTH = {"state": 2, "county": 3}

Table = list[list[str | None]]


def join_batches(tables: list[Table], geo: str) -> Table:
    """Join batched API responses (header row first) on the geography columns."""
    keys = GEO_COLUMNS[geo]
    merged: dict[tuple, dict[str, str | None]] = {}
    for index, (header, *rows) in enumerate(tables):
        _check_header(header, geo)
        positions = [header.index(key) for key in keys]
        seen = set()
        for row in rows:
            key = tuple(row[p] for p in positions)
            seen.add(key)
            if index == 0:
                merged[key] = {}
            elif key not in merged:
                raise CensusDataError(f"batch {index + 1} has geography {key} that batch 1 lacks")
            merged[key].update(zip(header, row, strict=True))
        if index and len(seen) != len(merged):
            raise CensusDataError(f"batch {index + 1} has {len(seen)} geographies, batch 1 has {len(merged)}")
    header = list(dict.fromkeys(name for table in tables for name in table[0]))
    return [header, *([record.get(name) for name in header] for record in merged.values())]


def table_to_frame(table: Table, *, year: int, geo: str, loaded_at: datetime) -> pl.DataFrame:
    """An API response (header row, then rows of strings or nulls) -> the cache table."""
    header, *rows = table
    _check_header(header, geo)
    raw = pl.DataFrame(rows, schema={name: pl.String for name in header}, orient="row")
    return to_cache_frame(raw, year=year, geo=geo, loaded_at=loaded_at)


def variables_in(columns: list[str]) -> list[str]:
    """The ACS variables among a table's columns, in column order."""
    return [name for name in columns if acs_vars.is_variable(name)]


def to_cache_frame(raw: pl.DataFrame, *, year: int, geo: str, loaded_at: datetime) -> pl.DataFrame:
    """A table of strings with the API's column names -> the cache table."""
    present = variables_in(raw.columns)
    extras = [name for name in present if name not in acs_vars.DEFAULT_VARIABLES]
    geo_columns = GEO_COLUMNS[geo]
    frame = raw.with_columns(
        *(_padded_fips(raw, column) for column in geo_columns),
        *(_number(raw, name) for name in present),
    )
    table = frame.select(
        pl.col("NAME").cast(pl.String),
        *geo_columns,
        pl.concat_str(geo_columns).alias("fips"),
        *(
            pl.col(name) if name in present else pl.lit(None, pl.Float64).alias(name)
            for name in acs_vars.DEFAULT_VARIABLES
        ),
        *extras,
        pl.lit(year, pl.Int32).alias("year"),
        pl.lit(loaded_at, pl.Datetime("us", "UTC")).alias("_loaded_at"),
    )
    repeated = table["fips"].is_duplicated()
    if repeated.any():
        raise CensusDataError(f"geography {table['fips'][repeated.arg_true()[0]]} appears more than once")
    return table


def _check_header(header: list, geo: str) -> None:
    missing = [name for name in ("NAME", *GEO_COLUMNS[geo]) if name not in header]
    if missing:
        raise CensusDataError(f"no {', '.join(missing)} column for geography {geo!r}; columns: {header}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CensusDataError(f"duplicated columns {duplicated}")


def _padded_fips(raw: pl.DataFrame, column: str) -> pl.Series:
    """FIPS parts as zero-padded text ('2' -> '02'); anything but digits is refused by row."""
    width = _FIPS_WIDTH[column]
    values = raw[column].cast(pl.String).str.strip_chars()
    bad = (~values.str.contains(rf"^\d{{1,{width}}}$")).fill_null(True)
    if bad.any():
        row = bad.arg_true()[0]
        raise CensusDataError(
            f"{bad.sum()} rows have a bad {column} code, first at data row {row + 1}: "
            f"{raw[column][row]!r} ({raw['NAME'][row]})"
        )
    return values.str.zfill(width).alias(column)


def _number(raw: pl.DataFrame, name: str) -> pl.Series:
    """Text -> Float64 with the sentinels as null; a value that is not a number is refused."""
    text = raw[name].cast(pl.String).str.strip_chars()
    numbers = text.cast(pl.Float64, strict=False)
    bad = text.is_not_null() & (text != "") & numbers.is_null()
    if bad.any():
        row = bad.arg_true()[0]
        raise CensusDataError(
            f"{bad.sum()} values of {name} are not numbers, first {text[row]!r} "
            f"at data row {row + 1} ({raw['NAME'][row]})"
        )
    return pl.select(pl.when(numbers.is_in(SENTINELS)).then(None).otherwise(numbers)).to_series().alias(name)
