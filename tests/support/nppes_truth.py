"""What raw NPPES files imply, computed straight from the CMS CSVs with Polars: the reference the
marts are checked against, written apart from the ingest and the dbt models.

Rules (NPPES's own): a weekly file is a delta, so an NPI's current record is its latest one by
Last Update Date (a deactivation-only record has none: it dates from the file that lists it;
on the same date a later file wins). An NPI is deactivated by the later of its record's
deactivation date and the deactivation report's, unless its reactivation date is on or after
it. Providers are individuals (Entity Type Code 1); a blank practice country means US.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl

NPI = "NPI"
ENTITY = "Entity Type Code"
UPDATED = "Last Update Date"
DEACTIVATED = "NPI Deactivation Date"
REACTIVATED = "NPI Reactivation Date"
STATE = "Provider Business Practice Location Address State Name"
POSTAL = "Provider Business Practice Location Address Postal Code"
COUNTRY = "Provider Business Practice Location Address Country Code (If outside U.S.)"
COLUMNS = [NPI, ENTITY, UPDATED, DEACTIVATED, REACTIVATED, STATE, POSTAL, COUNTRY]
MILITARY_STATES = ("AA", "AE", "AP")


@dataclass(frozen=True)
class Release:
    """One raw file in the order it is applied: the base release first, then the weeklies."""

    path: Path
    release: dt.date


@dataclass(frozen=True)
class Truth:
    paths: list[Path]  # the raw files, in the order they are applied
    rows_per_file: dict[str, int]  # data rows of each raw file (header excluded)
    records: pl.DataFrame  # every record of every file, with its file's release date and row
    current: pl.DataFrame  # one row per NPI: its latest record, with is_active / is_individual

    @property
    def active_individuals(self) -> pl.DataFrame:
        return self.current.filter(pl.col("is_active") & pl.col("is_individual"))

    def counts(self) -> dict[str, int]:
        """Active individuals: all, by location class (foreign, military, domestic) and US (not foreign)."""
        active = self.active_individuals
        by_class = dict(active.group_by("location_class").len().iter_rows())
        return {"active_individuals": active.height,
                "active_us_individuals": active.height - by_class.get("foreign", 0),
                **{name: by_class.get(name, 0) for name in ("foreign", "military", "domestic")}}

    def updated_in_several_files(self) -> pl.DataFrame:
        """NPIs listed in more than one file: their latest record must win."""
        files = self.records.group_by(NPI).agg(pl.col("release").n_unique().alias("files"))
        return self.current.join(files.filter(pl.col("files") > 1), on=NPI)

    def deactivated_npis(self) -> set[str]:
        """NPIs whose current state is deactivated (by their records or the report)."""
        return set(self.current.filter(~pl.col("is_active"))[NPI])


def _parse_date(column: str) -> pl.Expr:
    return pl.col(column).str.strptime(pl.Date, "%m/%d/%Y", strict=True)


def read_records(release: Release) -> pl.DataFrame:
    frame = pl.read_csv(release.path, columns=COLUMNS, infer_schema=False)
    return frame.with_columns(
        *(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in COLUMNS),
    ).with_columns(
        *(_parse_date(c) for c in (UPDATED, DEACTIVATED, REACTIVATED)),
        pl.lit(release.release).alias("release"),
        pl.int_range(pl.len()).alias("row"),
    )


def read_report(path: Path) -> pl.DataFrame:
    """NPPES Deactivated NPI Report (xlsx): a title row, a header row (NPI, date), then data."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "NPI")
    data = [(str(r[0]).strip(), str(r[1]).strip()) for r in rows[header + 1 :] if r and r[0]]
    return pl.DataFrame(data, schema={NPI: pl.String, "report_date": pl.String}, orient="row").with_columns(
        pl.col("report_date").str.strptime(pl.Date, "%m/%d/%Y", strict=True)
    )


def implied(releases: list[Release], report: Path | None = None) -> Truth:
    parts = [read_records(r) for r in releases]
    records = pl.concat(parts)
    current = (
        records.with_columns(pl.coalesce(UPDATED, "release").alias("effective"))
        .sort(["effective", "release", "row"])
        .group_by(NPI, maintain_order=True)
        .last()
    )
    reported = read_report(report).group_by(NPI).agg(pl.col("report_date").max()) if report else None
    if reported is not None:
        current = current.join(reported, on=NPI, how="left")
    else:
        current = current.with_columns(pl.lit(None, pl.Date).alias("report_date"))
    deactivated = pl.max_horizontal(DEACTIVATED, "report_date")
    country = pl.col(COUNTRY).fill_null("US").str.to_uppercase()
    current = current.with_columns(
        deactivated.alias("deactivated_on"),
        (deactivated.is_null() | (pl.col(REACTIVATED) >= deactivated)).fill_null(False).alias("is_active"),
        (pl.col(ENTITY) == "1").fill_null(False).alias("is_individual"),
        pl.when(country != "US").then(pl.lit("foreign"))
        .when(pl.col(STATE).str.to_uppercase().is_in(MILITARY_STATES)).then(pl.lit("military"))
        .otherwise(pl.lit("domestic")).alias("location_class"),
    )
    rows = {r.path.name: p.height for r, p in zip(releases, parts, strict=True)}
    return Truth([r.path for r in releases], rows, records, current)
