"""The three tables an analyst wants first, read from the published marts (``latest``)."""

from __future__ import annotations

import polars as pl

from careatlas.shared import layout
from careatlas.shared.storage import open_lake

# (title, mart, sort column, descending, columns shown when the mart has them)
HEADLINES = [
    ("Most underserved counties", "fct_underserved_counties", "underserved_rank", False,
     ["underserved_rank", "county_fips", "county_name", "state_abbreviation", "total_population",
      "people_per_primary_care_provider", "shortage_screens_met", "underserved_score"]),
    ("Provider density by state (lowest first)", "fct_state_provider_density", "individual_providers_per_100k", False,
     ["state_abbreviation", "state_name", "total_population", "individual_providers",
      "individual_providers_per_100k", "people_per_individual_provider"]),
    ("Largest specialty gaps by Census region", "fct_specialty_gaps", "provider_gap", True,
     ["geography_name", "specialty_name", "providers", "expected_providers", "provider_gap",
      "rate_ratio_to_national"]),
]


def headline_tables(lake_root: str, limit: int = 10) -> list[tuple[str, pl.DataFrame]]:
    lake = open_lake(lake_root)
    latest = lake.read_json(layout.marts_latest())
    tables = []
    for title, mart, order, descending, wanted in HEADLINES:
        key = f"{layout.marts_run(latest['run_id'])}/{mart}.parquet"
        if not lake.exists(key):
            continue
        frame = pl.read_parquet(lake.uri(key), storage_options=lake.polars_storage_options())
        if mart == "fct_specialty_gaps" and "geography_level" in frame.columns:
            frame = frame.filter(pl.col("geography_level") == "region")
        shown = [c for c in wanted if c in frame.columns]
        tables.append((title, frame.sort(order, descending=descending, nulls_last=True).select(shown).head(limit)))
    return tables
