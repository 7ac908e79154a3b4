"""NPPES Deactivated NPI Report: an xlsx (often inside ``NPPES_Deactivated_NPI_Report_MMDDYY.zip``)
whose first row is a title and second the header ``NPI | NPPES Deactivation Date``."""

from __future__ import annotations

import contextlib
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl

from careatlas.ingest.reference import schemas
from careatlas.ingest.reference.common import (
    ReferenceError,
    Source,
    cell_text,
    check_header,
    check_pattern,
    check_unique,
    check_unpacked_size,
    xlsx_rows,
)

KIND = "deactivations"
# the report's name changes with every release, so the default is found on CMS's download page
INDEX_URL = "https://download.cms.gov/nppes/NPI_Files.html"
LINK = re.compile(r"""href=["']?([^"' >]*NPPES_Deactivated_NPI_Report_(\d{6})\.zip)""", re.IGNORECASE)
_REPORT = re.compile(r"Report_(\d{2})(\d{2})(\d{2})\b", re.IGNORECASE)
_TITLE_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_HEADER_SEARCH_ROWS = 5


def report_date_from(name: str) -> str | None:
    """'NPPES_Deactivated_NPI_Report_031025.zip' -> '2025-03-10'."""
    match = _REPORT.search(name)
    return f"20{match[3]}-{match[1]}-{match[2]}" if match else None


def latest_link(page: str, base_url: str) -> str | None:
    """The newest report linked from CMS's NPPES download page (names carry MMDDYY)."""
    from urllib.parse import urljoin

    found = [(f"{m[2][4:]}{m[2][:4]}", m[1]) for m in LINK.finditer(page)]
    return urljoin(base_url, max(found)[1]) if found else None


def read(source: Source) -> tuple[pl.DataFrame, str | None]:
    """The report's rows, and the report date its title states (if it states one)."""
    with _workbook(source) as path:
        rows = xlsx_rows(path)
        title_date, header = _find_header(rows, source.name)
        npis, dates = [], []
        for row in rows:
            if row and any(cell is not None for cell in row):
                npis.append(cell_text(row[0]))
                dates.append(_date_text(row[1] if len(row) > 1 else None))
    frame = pl.DataFrame(
        {"NPI": npis, "NPPES Deactivation Date": dates}, schema={c: pl.String for c in schemas.DEACTIVATION_COLUMNS}
    )
    first = header + 1
    check_pattern(frame, "NPI", r"^\d{10}$", name=source.name, rule="10-digit NPIs", first_row=first)
    check_pattern(
        frame,
        "NPPES Deactivation Date",
        r"^\d{2}/\d{2}/\d{4}$",
        name=source.name,
        rule="MM/DD/YYYY dates",
        first_row=first,
    )
    check_unique(frame, ["NPI"], name=source.name, first_row=first)
    return frame, title_date


def _find_header(rows: Iterator[tuple], name: str) -> tuple[str | None, int]:
    """Skip the title row(s); returns the date a title mentions and the header's row number."""
    title_date, seen = None, []
    for number, row in enumerate(rows, start=1):
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        if cells[:2] == schemas.DEACTIVATION_COLUMNS:
            return title_date, number
        if number == 1 and (match := _TITLE_DATE.search(" ".join(cells))):
            title_date = f"{match[3]}-{match[1]}-{match[2]}"
        seen.append(cells)
        if number >= _HEADER_SEARCH_ROWS:
            break
    # the widest early row is the header of whatever file this is: name what it looks like
    check_header(max(seen, key=len, default=[]), schemas.DEACTIVATION_COLUMNS, kind=KIND, name=name)
    raise ReferenceError(f"{name}: no 'NPI | NPPES Deactivation Date' header in the first rows")


@contextlib.contextmanager
def _workbook(source: Source) -> Iterator[Path]:
    if not zipfile.is_zipfile(source.path) or source.path.suffix.lower() in (".xlsx", ".xlsm"):
        yield source.path
        return
    check_unpacked_size(source.path, name=source.name)  # extracted to /tmp: bounded first
    with zipfile.ZipFile(source.path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".xlsx")]
        if len(members) != 1:
            raise ReferenceError(f"{source.name}: expected one .xlsx inside, found {members or 'none'}")
        with tempfile.TemporaryDirectory(prefix="careatlas-ref-") as folder:
            yield Path(archive.extract(members[0], folder))


def _date_text(cell: object) -> str | None:
    if isinstance(cell, datetime | date):
        return cell.strftime("%m/%d/%Y")  # the report's own text format
    return cell_text(cell)
