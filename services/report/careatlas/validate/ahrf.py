"""HRSA Area Health Resources Files: people per primary-care physician per county (2014-2021),
against the run's people per primary-care provider, for the AHRF year nearest the run's NPPES
release. AHRF counts non-federal patient-care primary-care physicians (AMA Masterfile); the
run counts NPPES headcounts at practice ZIPs (HRSA App. A specialties). A missing AHRF value
("NA": no physician, or low population) is not compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from careatlas.validate import metrics
from careatlas.validate.geography import onto_run_counties
from careatlas.validate.reference_file import read_with

REQUIRED = ("year", "state", "county", "ratio_population_pc_physician")


class AhrfFileError(ValueError):
    """Not an AHRF people-per-PCP file; the message names the file and what is missing."""


def read(path: Path) -> pl.DataFrame:
    """year, county_fips, reference_value (people per primary-care physician; null for NA)."""
    frame = read_with(path, REQUIRED, "an AHRF population-per-PCP file", AhrfFileError)
    return frame.select(
        pl.col("year").cast(pl.Int32),
        (pl.col("state").str.zfill(2) + pl.col("county").str.zfill(3)).alias("county_fips"),
        pl.col("ratio_population_pc_physician").cast(pl.Float64, strict=False).alias("reference_value"),
    )


def nearest_year(years: list[int], release: str | None) -> int:
    """The AHRF year nearest the NPPES release's year (the later one on a tie); the latest
    year when the release is unknown."""
    if not release:
        return max(years)
    target = int(release[:4])
    return min(years, key=lambda year: (abs(year - target), -year))


def compare(reference: pl.DataFrame, access: pl.DataFrame, nppes_release: str | None) -> tuple[pl.DataFrame, int]:
    year = nearest_year(sorted(reference["year"].unique().to_list()), nppes_release)
    ref = onto_run_counties(reference.filter(pl.col("year") == year), access["county_fips"],
                            means=("reference_value",))
    table = access.select(
        "county_fips", "county_name", "state_code", "total_population",
        pl.col("people_per_primary_care_provider").alias("careatlas_value"),
    ).join(ref, on="county_fips", how="inner").with_columns(
        metrics.pct_diff(pl.col("careatlas_value"), pl.col("reference_value")).alias("pct_diff"))
    cause = (
        pl.when(pl.col("reference_value").is_null()).then(pl.lit("AHRF has no value (no physician or low population)"))
        .when(pl.col("careatlas_value").is_null()).then(pl.lit("no primary-care provider in the run's county"))
        .when(pl.col("pct_diff").abs() <= metrics.OVER_PCT).then(pl.lit("agrees within 20%"))
        .when(pl.col("pct_diff") < 0).then(pl.lit(
            "more providers in NPPES: headcounts include inactive, part-time and federal physicians"))
        .otherwise(pl.lit("fewer providers in NPPES: practice ZIPs place physicians elsewhere, or years differ"))
    )
    return table.with_columns(cause.alias("likely_cause")).sort("county_fips"), year


def summarise(table: pl.DataFrame, year: int) -> dict[str, Any]:
    return {"ahrf_year": year, **metrics.agreement(table, "careatlas_value", "reference_value")}
