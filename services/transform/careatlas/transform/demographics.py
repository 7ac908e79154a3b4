"""Which Census product a build's demographics come from, and what each measure is labelled.

ACS 5-year when the census cache holds a vintage with both geographies (the latest, or the
``acs_year`` asked for); otherwise the offline products the lake holds as the Census Bureau
publishes them: population from PEP (Vintage 2024: Connecticut as planning regions), age from
PEP county characteristics (Vintage 2023), poverty and median income from SAIPE. The offline
set has no uninsured measure: no public-domain county source is vendored, so it stays null and
is labelled as missing (never zero). Every measure carries a label naming product and vintage;
the labels go into ``run_inputs.demographic_sources`` (dbt copies them into the marts) and into
``latest.json``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from careatlas.shared import layout
from careatlas.shared.documents import DataFileMetadata
from careatlas.shared.storage import Lake, LakeKeyNotFound

ACS = "acs5"
OFFLINE = "census_offline"
OFFLINE_PRODUCTS = ("pep_population", "pep_agesex", "saipe")
# the contract measures of int_county_demographics / int_state_demographics, in column order
MEASURES = ("total_population", "population_under_18", "population_18_64", "population_65_plus",
            "poverty_rate_pct", "median_household_income_usd", "uninsured_rate_pct")
_UNDER_18 = [f"B01001_{n:03d}E" for n in (3, 4, 5, 6, 27, 28, 29, 30)]
_65_PLUS = [f"B01001_{n:03d}E" for n in (*range(20, 26), *range(44, 50))]
# ACS tables (label) and variables each measure needs; a measure is null when the cached
# vintage lacks any of them (B27010 before 2012; under-18 cells in caches from before they
# joined the default set)
ACS_SOURCES: dict[str, tuple[str, list[str]]] = {
    "total_population": ("B01003", ["B01003_001E"]),
    "population_under_18": ("B01001", _UNDER_18),
    "population_18_64": ("B01001", ["B01003_001E", *_UNDER_18, *_65_PLUS]),
    "population_65_plus": ("B01001", _65_PLUS),
    "poverty_rate_pct": ("B17001", ["B17001_001E", "B17001_002E"]),
    "median_household_income_usd": ("B19013", ["B19013_001E"]),
    "uninsured_rate_pct": ("B27010", ["B27010_001E", "B27010_017E", "B27010_033E", "B27010_050E",
                                      "B27010_066E"]),
}
OFFLINE_SOURCES: dict[str, str | None] = {  # measure -> product (None: no offline source)
    "total_population": "pep_population",
    "population_under_18": "pep_agesex",
    "population_18_64": "pep_agesex",
    "population_65_plus": "pep_agesex",
    "poverty_rate_pct": "saipe",
    "median_household_income_usd": "saipe",
    "uninsured_rate_pct": None,
}


class DemographicsMissing(RuntimeError):
    """Neither an ACS vintage nor the offline products; the message says what is missing."""


@dataclass(frozen=True)
class MeasureSource:
    measure: str
    product: str | None  # acs5, pep_population, pep_agesex, saipe; None: not available
    vintage: int | None
    label: str | None  # e.g. 'ACS 5-year 2019-2023 (B01003)', 'Census SAIPE 2023'

    def as_dict(self) -> dict[str, Any]:
        return {"product": self.product, "vintage": self.vintage, "source": self.label}


@dataclass(frozen=True)
class Demographics:
    product: str  # ACS or OFFLINE
    acs_year: int | None
    vintages: dict[str, int]  # offline product -> vintage read
    keys: dict[str, str]  # run input relation -> lake key of its data file
    expected_rows: dict[str, int | None]  # relation -> rows its metadata.json records
    measures: list[MeasureSource] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "acs_year": self.acs_year,
            "vintages": dict(self.vintages),
            "measures": {m.measure: m.as_dict() for m in self.measures},
        }


def choose(lake: Lake, acs_years: list[int], acs_year: int | None) -> Demographics:
    """ACS when a vintage is cached (or asked for), else the offline products, else an error."""
    if acs_year is not None:
        if acs_year not in acs_years:
            raise DemographicsMissing(
                f"ACS vintage {acs_year} is not cached in {lake.root}; cached: {acs_years}")
        return _acs(lake, acs_year)
    if acs_years:
        return _acs(lake, acs_years[-1])
    vintages = {p: v for p in OFFLINE_PRODUCTS if (v := latest_vintage(lake, p)) is not None}
    missing = [p for p in OFFLINE_PRODUCTS if p not in vintages]
    if missing:
        raise DemographicsMissing(
            f"no demographics in {lake.root}: no ACS 5-year county+state tables in the census cache "
            f"and no offline Census product {', '.join(missing)} "
            f"({', '.join(lake.uri(layout.census_product_root(p)) for p in missing)}); "
            "load them with `careatlas reference load pep_population|pep_agesex|saipe FILE`")
    return _offline(lake, vintages)


def acs_key(year: int, geo: str) -> str:
    return layout.census_acs5_data(year, geo)


def latest_vintage(lake: Lake, product: str) -> int | None:
    example = layout.census_product(product, "2000")
    values = (layout.partition_value(key, example, "vintage") for key in lake.list(layout.census_product_root(product)))
    vintages = [int(v) for v in values if v is not None and re.fullmatch(r"\d{4}", v)]
    return max(vintages) if vintages else None


def _acs(lake: Lake, year: int) -> Demographics:
    present = _variables_with_values(lake, acs_key(year, "county"))
    period = f"ACS 5-year {year - 4}-{year}"
    measures = [
        MeasureSource(m, "acs5", year, f"{period} ({table})") if set(needed) <= present
        else MeasureSource(m, None, None, None)
        for m, (table, needed) in ACS_SOURCES.items()
    ]
    keys = {f"census_acs5_{geo}": acs_key(year, geo) for geo in ("county", "state")}
    return Demographics(ACS, year, {}, keys, dict.fromkeys(keys), measures)


def _offline(lake: Lake, vintages: dict[str, int]) -> Demographics:
    labels = {
        "pep_population": f"Census PEP Vintage {vintages['pep_population']} (July 1, {vintages['pep_population']})",
        "pep_agesex": (f"Census PEP Vintage {vintages['pep_agesex']} county characteristics "
                       f"(July 1, {vintages['pep_agesex']})"),
        "saipe": f"Census SAIPE {vintages['saipe']}",
    }
    measures = [
        MeasureSource(m, p, vintages[p], labels[p]) if p else MeasureSource(m, None, None, None)
        for m, p in OFFLINE_SOURCES.items()
    ]
    keys = {f"census_{p}": layout.census_product(p, str(v)) for p, v in vintages.items()}
    return Demographics(OFFLINE, None, dict(vintages), keys,
                        {name: metadata_rows(lake, key) for name, key in keys.items()}, measures)


def content_tag(lake: Lake, key: str | None) -> str | None:
    """A reference input as the fingerprint sees it: its key, size and the checksum its
    metadata.json records, so a file reloaded under the same key (an ACS vintage refetched with
    more variables, a corrected crosswalk) re-baselines like a new one."""
    if key is None:
        return None
    try:
        checksum = _metadata(lake, key).sha256
    except LakeKeyNotFound:
        checksum = None
    return f"{key}@{lake.size(key)}:{checksum or '-'}"


def metadata_rows(lake: Lake, data_key: str) -> int | None:
    """Rows the loader recorded in the metadata.json beside a reference data file."""
    try:
        rows = _metadata(lake, data_key).rows
    except LakeKeyNotFound:
        return None
    return int(rows) if rows is not None else None


def _metadata(lake: Lake, data_key: str) -> DataFileMetadata:
    return lake.read_model(layout.metadata_beside(data_key), DataFileMetadata)


def _variables_with_values(lake: Lake, key: str) -> set[str]:
    """ACS columns of a cached table with at least one value (the cache writes every default
    variable, null where the vintage does not publish it)."""
    import polars as pl

    frame = pl.read_parquet(io.BytesIO(lake.read_bytes(key)))
    return {name for name in frame.columns if frame[name].null_count() < frame.height}
