"""County Health Rankings v062 (mental health providers) and v131 (other primary care providers).

Three values per county and measure: CHR's published people per provider (the file's
``v<NNN>_rawalternatevalue``), the run's CHR-compatible value (mart fct_chr_provider_counts, CHR's
method) and, for v062, CareAtlas's own (people per core mental-health provider, HRSA App. C).
County rows only (CHR's state and national rows, countycode 000, are left out).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from careatlas.validate import metrics
from careatlas.validate.geography import onto_run_counties

MEASURES = {"v062": "mental health providers", "v131": "other primary care providers (NPs, PAs)"}
CHR_NPPES_RELEASE = "2024-06"  # the 2025 files count the June 2024 NPPES full file (method file)
CAREATLAS_OWN = {"v062": "people_per_core_mental_health_provider"}


class ChrFileError(ValueError):
    """Not a CHR v062/v131 measure file; the message names the file and what is missing."""


def read(path: Path) -> pl.DataFrame:
    """county_fips, measure, reference_providers, reference_population, reference_value."""
    frame = pl.read_csv(path, infer_schema=False)
    measure = next((m for m in MEASURES if f"{m}_rawalternatevalue" in frame.columns), None)
    needed = ["statecode", "countycode"]
    if measure is None or any(c not in frame.columns for c in needed):
        raise ChrFileError(f"{path.name} is not a County Health Rankings v062/v131 file: it needs statecode, "
                           f"countycode and v062_ or v131_rawalternatevalue (it has {', '.join(frame.columns[:8])})")

    def number(column: str) -> pl.Expr:
        return pl.col(f"{measure}_{column}").replace("", None).cast(pl.Float64)

    return frame.filter(pl.col("countycode") != "000").select(
        (pl.col("statecode").str.zfill(2) + pl.col("countycode").str.zfill(3)).alias("county_fips"),
        pl.lit(measure).alias("measure"),
        number("numerator").alias("reference_providers"),
        number("denominator").alias("reference_population"),
        number("rawalternatevalue").alias("reference_value"),
    ).filter(pl.col("reference_population").is_not_null())


def compare(reference: pl.DataFrame, chr_counts: pl.DataFrame, access: pl.DataFrame,
            nppes_release: str | None) -> pl.DataFrame:
    """One row per county and measure of the reference that the run's counties reach."""
    parts = []
    for measure in reference["measure"].unique(maintain_order=True):
        ref = onto_run_counties(reference.filter(pl.col("measure") == measure), chr_counts["county_fips"],
                                sums=("reference_providers", "reference_population"))
        ref = ref.with_columns(pl.when(pl.col("reference_providers") > 0).then(
            pl.col("reference_population") / pl.col("reference_providers")).alias("reference_value"))
        ours = chr_counts.filter(pl.col("measure") == measure).select(
            "county_fips", pl.col("chr_providers").alias("compatible_providers"),
            pl.col("total_population").alias("compatible_population"),
            pl.col("chr_people_per_provider").alias("compatible_value"))
        own_value = pl.col(CAREATLAS_OWN[measure]) if measure in CAREATLAS_OWN else pl.lit(None, pl.Float64)
        own = access.select("county_fips", own_value.cast(pl.Float64).alias("careatlas_value"))
        parts.append(ref.with_columns(pl.lit(measure).alias("measure"))
                     .join(ours, on="county_fips", how="left").join(own, on="county_fips", how="left"))
    table = pl.concat(parts, how="vertical_relaxed")
    table = table.with_columns(
        metrics.pct_diff(pl.col("compatible_value"), pl.col("reference_value")).alias("pct_diff"),
        metrics.pct_diff(pl.col("careatlas_value"), pl.col("reference_value")).alias("careatlas_pct_diff"),
    )
    return table.with_columns(_cause(nppes_release).alias("likely_cause")).select(
        "county_fips", "measure", "geography_basis", "reference_providers", "reference_population",
        "reference_value", "compatible_providers", "compatible_population", "compatible_value",
        "careatlas_value", "pct_diff", "careatlas_pct_diff", "likely_cause").sort("measure", "county_fips")


def _cause(nppes_release: str | None) -> pl.Expr:
    """Why the CHR-compatible value differs from CHR's, most likely first (docs/validation.md)."""
    same_release = bool(nppes_release and nppes_release.startswith(CHR_NPPES_RELEASE))
    population_gap = (pl.col("compatible_population") - pl.col("reference_population")).abs() \
        > 0.01 * pl.col("reference_population")
    return (
        pl.when(pl.col("reference_value").is_null() & pl.col("compatible_value").is_null())
        .then(pl.lit("no provider in either (CHR suppresses the value)"))
        .when(pl.col("reference_value").is_null())
        .then(pl.lit("CHR has no provider here (suppressed); the run has some"))
        .when(pl.col("compatible_value").is_null())
        .then(pl.lit("the run has no provider here; CHR has some"))
        .when(pl.col("pct_diff").abs() <= metrics.OVER_PCT)
        .then(pl.lit("agrees within 20%"))
        .when(pl.lit(not same_release))
        .then(pl.lit(f"different NPPES release (run {nppes_release or 'unknown'}; CHR 2025 used June 2024)"))
        .when(population_gap)
        .then(pl.lit("different population denominator (CHR: Census PEP V2023)"))
        .when(pl.col("county_fips").str.starts_with("09"))
        .then(pl.lit("Connecticut: ZIPs shared onto planning regions by population (CHR: a ZCTA crosswalk)"))
        .when(pl.col("geography_basis") == "harmonised")
        .then(pl.lit("county codes harmonised onto the run's vintage"))
        .otherwise(pl.lit("ZIP-to-county assignment (HUD largest share; CHR: SAS ZIP file)"))
    )


def summarise(table: pl.DataFrame) -> dict[str, Any]:
    """Overall figures: the CHR-compatible values against CHR's over every county of both
    measures (plain keys), then per measure, and CareAtlas's own definition against CHR's."""
    measures = {}
    for measure in sorted(table["measure"].unique()):
        rows = table.filter(pl.col("measure") == measure)
        measures[measure] = {
            "label": MEASURES[measure],
            **metrics.agreement(rows, "compatible_value", "reference_value"),
            "careatlas": metrics.agreement(rows, "careatlas_value", "reference_value")
            if measure in CAREATLAS_OWN else None,
        }
    return {**metrics.agreement(table, "compatible_value", "reference_value"), "measures": measures}
