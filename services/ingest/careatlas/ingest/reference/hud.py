"""HUD-USPS ZIP->county crosswalk (xlsx as HUD publishes it, or a CSV export of it).

ZIP and COUNTY land as 5-character text even when the workbook stores them as numbers;
the four ratios land as the text of the stored number (shortest round-trip form).
"""

from __future__ import annotations

import re

import polars as pl

from careatlas.ingest.reference import schemas
from careatlas.ingest.reference.common import Source, check_header, check_pattern, check_unique, text_table

KIND = "hud"
DEFAULT_URL = "https://www.huduser.gov/portal/datasets/usps/ZIP_COUNTY_032023.xlsx"
_VINTAGE = re.compile(r"ZIP_COUNTY_(0[369]|12)(\d{4})", re.IGNORECASE)
_NUMBER = r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def vintage_from(name: str) -> str | None:
    """'ZIP_COUNTY_032023.xlsx' -> '2023Q1' (HUD names files by the quarter's last month)."""
    match = _VINTAGE.search(name)
    return f"{match[2]}Q{int(match[1]) // 3}" if match else None


def read(source: Source) -> pl.DataFrame:
    frame = text_table(source.path)
    # HUD's newer exports spell the same columns in lower case
    frame = frame.rename({c: c.strip().upper() for c in frame.columns if c.strip().upper() in schemas.HUD_COLUMNS})
    check_header(frame.columns, schemas.HUD_COLUMNS, kind=KIND, name=source.name)
    frame = frame.with_columns(pl.col("ZIP", "COUNTY").str.strip_chars().str.zfill(5))
    for field in ("ZIP", "COUNTY"):
        check_pattern(frame, field, r"^\d{5}$", name=source.name, rule="5-digit codes", first_row=2)
    for field in schemas.HUD_RATIOS:
        check_pattern(frame, field, _NUMBER, name=source.name, rule="numbers", first_row=2)
    check_unique(frame, ["ZIP", "COUNTY"], name=source.name, first_row=2)
    return frame
