"""Reference counties onto a run's counties, through dbt/seeds/county_fips_harmonization.csv.

A reference row whose county the run has is used as it is. A run county the reference lacks
(Connecticut's planning regions against a reference of the 8 old counties, 02261 against 02063 +
02066, or the reverse) gets the values of the reference counties the seed maps onto it: counts
as the weighted sum (weight = share of the from-county's people living in the to-county), rates
and ratios as the weighted mean, flags true when any part is.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[4]
HARMONIZATION_SEED = REPO / "dbt" / "seeds" / "county_fips_harmonization.csv"


def harmonization(path: Path = HARMONIZATION_SEED) -> pl.DataFrame:
    return pl.read_csv(path, schema_overrides={"from_fips": pl.String, "to_fips": pl.String, "weight": pl.Float64})


def onto_run_counties(
    reference: pl.DataFrame,
    run_counties: Iterable[str],
    *,
    sums: tuple[str, ...] = (),
    means: tuple[str, ...] = (),
    anys: tuple[str, ...] = (),
    seed: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``reference`` (keyed by county_fips) on the run's counties, with ``geography_basis``
    'reference' or 'harmonised'; run counties reachable neither way are left out."""
    counties = set(run_counties)
    columns = ["county_fips", *sums, *means, *anys]
    direct = reference.filter(pl.col("county_fips").is_in(list(counties)))
    missing = counties - set(direct["county_fips"].to_list())
    seed = harmonization() if seed is None else seed
    links = seed.filter(pl.col("to_fips").is_in(list(missing))).join(
        reference, left_on="from_fips", right_on="county_fips", how="inner")
    if links.is_empty():
        return direct.select(columns).with_columns(pl.lit("reference").alias("geography_basis"))
    w = pl.col("weight")
    harmonised = links.group_by("to_fips").agg(
        *[(w * pl.col(c)).sum().alias(c) for c in sums],
        *[((w * pl.col(c)).sum() / w.filter(pl.col(c).is_not_null()).sum()).alias(c) for c in means],
        *[pl.col(c).fill_null(False).any().alias(c) for c in anys],
    ).rename({"to_fips": "county_fips"})
    return pl.concat([
        direct.select(columns).with_columns(pl.lit("reference").alias("geography_basis")),
        harmonised.select(columns).with_columns(pl.lit("harmonised").alias("geography_basis")),
    ], how="vertical_relaxed").sort("county_fips")
