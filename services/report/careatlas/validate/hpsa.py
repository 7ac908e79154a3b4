"""HRSA primary-care HPSAs (designations of 2020-06-15, by county) against the run's primary-care
shortage screen and underserved score.

A county is designated when it holds a designated geographic or high-needs geographic
primary-care HPSA component (the file lists no population-group or facility HPSAs). Counties
compared: the run's counties with people in the 50 states and DC whose screen (or score) is
known. For a designated county the screen misses, the likely reason comes from the data:
sub-county service areas (the HPSAs cover under 90% of its people), a high-needs designation
(HRSA's high-need indicators beyond the screen's), or FTEs (the headcount ratio is under
3,500:1; HRSA counts full-time equivalents in rational service areas).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from careatlas.validate import metrics
from careatlas.validate.geography import onto_run_counties
from careatlas.validate.reference_file import read_with

REQUIRED = ("designationtype", "hpsastatus", "state", "county", "popsum")
SUB_COUNTY_SHARE = 0.9


class HpsaFileError(ValueError):
    """Not an HRSA primary-care HPSA file; the message names the file and what is missing."""


def read(path: Path) -> pl.DataFrame:
    """county_fips, is_designated, designated_population, is_high_needs_designation."""
    frame = read_with(path, REQUIRED, "an HRSA primary-care HPSA file", HpsaFileError)
    return frame.filter(pl.col("hpsastatus") == "Designated").group_by(
        (pl.col("state").str.zfill(2) + pl.col("county").str.zfill(3)).alias("county_fips")
    ).agg(
        pl.lit(True).alias("is_designated"),
        # popsum: the county's people in its HPSAs (the same on each of its rows)
        pl.col("popsum").cast(pl.Float64).max().alias("designated_population"),
        pl.col("designationtype").str.starts_with("High Needs").any().alias("is_high_needs_designation"),
    ).sort("county_fips")


def compare(reference: pl.DataFrame, access: pl.DataFrame, underserved: pl.DataFrame) -> pl.DataFrame:
    counties = access.filter((pl.col("total_population") > 0) & pl.col("state_fips").is_in(_STATES_AND_DC))
    ref = onto_run_counties(reference, counties["county_fips"], sums=("designated_population",),
                            anys=("is_designated", "is_high_needs_designation"))
    table = counties.select(
        "county_fips", "county_name", "state_code", "total_population", "people_per_primary_care_provider",
        pl.col("is_primary_care_shortage").alias("is_screened"),
    ).join(underserved.select("county_fips", "underserved_score"), on="county_fips", how="left").join(
        ref.drop("geography_basis"), on="county_fips", how="left"
    ).with_columns(
        pl.col("is_designated").fill_null(False),
        pl.col("is_high_needs_designation").fill_null(False),
        (pl.col("designated_population") / pl.col("total_population")).alias("designated_population_share"),
    )
    return table.with_columns(_miss_reason().alias("miss_reason")).sort("county_fips")


_STATES_AND_DC = [f"{n:02d}" for n in range(1, 57) if n not in (3, 7, 14, 43, 52)]


def _miss_reason() -> pl.Expr:
    missed = pl.col("is_designated") & (pl.col("is_screened") == False)  # noqa: E712 (null: not compared)
    return (
        pl.when(~missed).then(None)
        .when(pl.col("designated_population_share") < SUB_COUNTY_SHARE)
        .then(pl.lit("sub-county service areas: the HPSAs cover under 90% of the county's people"))
        .when(pl.col("is_high_needs_designation"))
        .then(pl.lit("high-needs designation: HRSA's high-need indicators go beyond the screen's"))
        .otherwise(pl.lit("FTEs: the headcount ratio is under 3,500:1; HRSA counts full-time equivalents"))
    )


def summarise(table: pl.DataFrame) -> dict[str, Any]:
    screened = table.filter(pl.col("is_screened").is_not_null())
    scored = table.filter(pl.col("underserved_score").is_not_null())
    figures = metrics.confusion(screened["is_screened"].to_list(), screened["is_designated"].to_list())
    reasons = table.filter(pl.col("miss_reason").is_not_null())["miss_reason"].value_counts(sort=True)
    return {
        **figures,
        "auc": metrics.auc(scored["underserved_score"].to_list(), scored["is_designated"].to_list()),
        "counties_compared": screened.height,
        "counties_scored": scored.height,
        "designated_counties": int(table["is_designated"].sum()),
        "missed_by_reason": {row["miss_reason"]: row["count"] for row in reasons.iter_rows(named=True)},
    }
