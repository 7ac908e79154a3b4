"""The three tables an analyst wants first, read from the published marts (``latest``).

Headings are words with their unit, values are formatted for people (thousands separators, one
decimal, "no provider" where a people-per-provider ratio has no provider to divide by), and every
table fits a 100-column terminal. Columns are the marts' own (docs/marts.md); a column a mart
lacks is an error, not a silently narrower table.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rich.table import Table

from careatlas.shared import layout
from careatlas.shared.documents import LatestPointer
from careatlas.shared.storage import open_lake

WIDTH = 100  # the terminal every table must fit


@dataclass(frozen=True)
class Column:
    name: str  # the mart's column
    heading: str  # words and unit
    kind: str  # text | label | count | rate | ratio | people_per | score
    max_width: int | None = None


@dataclass(frozen=True)
class Headline:
    title: str
    mart: str
    order: str
    descending: bool
    columns: tuple[Column, ...]
    levels: tuple[str, ...] = ()  # geography_level: the first with more than one area is shown


HEADLINES = (
    Headline("Most underserved counties (score 0-100, higher = more underserved)", "fct_underserved_counties",
             "underserved_rank", False, (
                 Column("underserved_rank", "Rank", "count"),
                 Column("county_name", "County", "text", 22),
                 Column("state_code", "State", "text"),
                 Column("total_population", "People", "count"),
                 Column("people_per_primary_care_provider", "People per primary-care physician", "people_per", 17),
                 Column("shortage_screens_met", "Shortage screens met (of 3)", "count", 11),
                 Column("underserved_score", "Score (0-100)", "score", 7),
             )),
    Headline("Provider density by state, lowest first (individual NPIs)", "fct_state_provider_density",
             "individual_providers_per_100k", False, (
                 Column("state_code", "State", "text"),
                 Column("state_name", "State name", "text", 16),
                 Column("total_population", "People", "count"),
                 Column("individual_providers", "Providers", "count"),
                 Column("individual_providers_per_100k", "Providers per 100k people", "rate", 11),
                 Column("primary_care_providers_per_100k", "Primary-care physicians per 100k", "rate", 13),
                 Column("people_per_primary_care_provider", "People per primary-care physician", "people_per", 17),
             )),
    Headline("Largest specialty gaps by Census region or division (providers short of the national rate)",
             "fct_specialty_gaps", "provider_gap", True, (
                 Column("geography_name", "Region or division", "text", 12),
                 Column("specialty_name", "Specialty", "label", 26),
                 Column("providers", "Providers", "rate"),
                 Column("expected_providers", "Expected at national rate", "rate", 10),
                 Column("provider_gap", "Gap, providers", "rate", 10),
                 Column("rate_ratio_to_national", "Rate / national rate (x)", "ratio", 10),
             ), ("region", "division")),
)


class HeadlineError(ValueError):
    """A mart lacks a column a headline table shows: the marts and this module disagree."""


def format_value(value: object, kind: str) -> str:
    if value is None:
        return "no provider" if kind == "people_per" else "n/a"
    if kind == "count":
        return f"{value:,.0f}" if isinstance(value, int | float) else str(value)
    if kind == "ratio":
        return f"{value:,.2f}"
    if kind in ("rate", "people_per", "score"):
        return f"{value:,.1f}"
    if kind == "label" and "_" in str(value):  # a specialty group's key: primary_care -> Primary care (group)
        return str(value).replace("_", " ").capitalize() + " (group)"
    return str(value)


def rows_of(headline: Headline, mart: pl.DataFrame, limit: int) -> list[list[str]]:
    missing = [c.name for c in headline.columns if c.name not in mart.columns]
    if missing:
        raise HeadlineError(f"{headline.mart} has no column {', '.join(missing)} (it has {', '.join(mart.columns)})")
    if headline.levels:
        mart = mart.filter(pl.col("geography_level") == _level(mart, headline.levels))
    top = mart.sort(headline.order, descending=headline.descending, nulls_last=True).head(limit)
    return [[format_value(row[c.name], c.kind) for c in headline.columns] for row in top.iter_rows(named=True)]


def _level(mart: pl.DataFrame, levels: tuple[str, ...]) -> str:
    """A regional demo may cover one Census region: then its divisions are what differ."""
    for level in levels:
        if mart.filter(pl.col("geography_level") == level)["geography_code"].n_unique() > 1:
            return level
    return levels[-1]


def table_of(headline: Headline, rows: list[list[str]], caption: str | None = None) -> Table:
    table = Table(title=headline.title, caption=caption, pad_edge=False)
    for column in headline.columns:
        right = column.kind not in ("text", "label")
        table.add_column(column.heading, justify="right" if right else "left", max_width=column.max_width,
                         overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def headline_tables(lake_root: str, limit: int = 10, caption: str | None = None) -> list[Table]:
    """The headline tables of the latest marts (a mart not built is left out)."""
    lake = open_lake(lake_root)
    latest = lake.read_model(layout.marts_latest(), LatestPointer)
    tables = []
    for headline in HEADLINES:
        key = layout.mart_file(latest.run_id, headline.mart)
        if not lake.exists(key):
            continue
        mart = pl.read_parquet(lake.uri(key), storage_options=lake.polars_storage_options())
        tables.append(table_of(headline, rows_of(headline, mart, limit), caption))
    return tables
