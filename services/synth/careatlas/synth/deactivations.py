"""The monthly deactivation report in the CMS layout: an xlsx whose row 1 is a title and
row 2 the header ``NPI | NPPES Deactivation Date``, dates as MM/DD/YYYY text."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import polars as pl
from openpyxl import Workbook

HEADER = ("NPI", "NPPES Deactivation Date")


def report_name(release: date, suffix: str = ".xlsx") -> str:
    return f"NPPES_Deactivated_NPI_Report_{release:%m%d%y}{suffix}"


def deactivations_from_file(csv_path: str | Path) -> pl.DataFrame:
    """NPI and deactivation date of every deactivated row (entity type blank) of a main file."""
    return (
        pl.scan_csv(csv_path, infer_schema=False)
        .filter(pl.col("Entity Type Code").fill_null("").eq("")
                & pl.col("NPI Deactivation Date").fill_null("").ne(""))
        .select(pl.col("NPI").alias("npi"), pl.col("NPI Deactivation Date").alias("deactivation_date"))
        .collect()
    )


def write_deactivation_report(out_dir: str | Path, deactivations: pl.DataFrame, release: date,
                              zipped: bool = False) -> Path:
    """Write the report for ``deactivations`` (columns ``npi``, ``deactivation_date``).

    NPIs are written as text so no reader sees them as floats; with ``zipped`` the xlsx is
    delivered inside ``NPPES_Deactivated_NPI_Report_MMDDYY.zip`` as CMS ships it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / report_name(release)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Deactivated NPIs")
    sheet.append([f"NPPES Deactivated NPI Report as of {release:%m/%d/%Y}"])
    sheet.append(list(HEADER))
    for npi, deactivated_on in deactivations.sort("npi").select("npi", "deactivation_date").iter_rows():
        sheet.append([npi, deactivated_on])
    workbook.save(xlsx)
    if not zipped:
        return xlsx
    archive = out_dir / report_name(release, ".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(xlsx, xlsx.name)
    xlsx.unlink()
    return archive
