"""The change in supply between any two releases of fct_county_supply_history. Pure polars (no
plotting): the report's trend section and ``careatlas trends`` share it.

The history keeps one step per release. Between releases A and B (A < B): the net change is
providers at B minus providers at A (a county missing at a release has none there), and the
flows (entries, new NPIs, exits, deactivations, moves) are summed over the steps after A up to
B: gross flows, so a provider who left and came back counts once in each.
"""

from __future__ import annotations

from datetime import date

import polars as pl

FLOWS = ("entries", "new_npis", "exits", "deactivations", "moves_in", "moves_out")
KEYS = ("county_fips", "discipline")


class TrendError(ValueError):
    """A release asked for is not in the history, or the range is empty."""


def releases(history: pl.DataFrame) -> list[date]:
    return sorted(history["release_date"].unique().to_list())


def change_between(history: pl.DataFrame, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """One row per county and discipline: providers_from, providers_to, net_change and the flows
    from release ``start`` (default the first recorded) to ``end`` (default the latest)."""
    recorded = releases(history)
    if not recorded:
        raise TrendError("the supply history has no release yet (run a transform first)")
    start, end = start or recorded[0], end or recorded[-1]
    for asked in (start, end):
        if asked not in recorded:
            raise TrendError(f"release {asked} is not in the supply history (recorded: "
                             f"{', '.join(str(r) for r in recorded)})")
    if end < start:
        raise TrendError(f"--to {end} is before --from {start}")
    def at(release: date, name: str) -> pl.DataFrame:
        rows = history.filter(pl.col("release_date") == release)
        return rows.select(*KEYS, pl.col("providers").cast(pl.Float64).alias(name))

    steps = history.filter((pl.col("release_date") > start) & (pl.col("release_date") <= end)).group_by(KEYS).agg(
        *[pl.col(flow).cast(pl.Float64).sum() for flow in FLOWS])
    return (
        at(start, "providers_from").join(at(end, "providers_to"), on=KEYS, how="full", coalesce=True)
        .join(steps, on=KEYS, how="left")
        .with_columns(pl.col("providers_from", "providers_to", *FLOWS).fill_null(0.0))
        .with_columns((pl.col("providers_to") - pl.col("providers_from")).alias("net_change"),
                      pl.lit(start).alias("release_from"), pl.lit(end).alias("release_to"))
        .select("release_from", "release_to", *KEYS, "providers_from", "providers_to", "net_change", *FLOWS)
        .sort(KEYS)
    )
