"""NUCC Health Care Provider Taxonomy code set (CSV, published twice a year)."""

from __future__ import annotations

import re

import polars as pl

from careatlas.ingest.reference import schemas
from careatlas.ingest.reference.common import Source, check_header, check_pattern, check_unique, text_table

KIND = "nucc"
DEFAULT_URL = "https://www.nucc.org/images/stories/CSV/nucc_taxonomy_251.csv"
_VERSION = re.compile(r"nucc_taxonomy_(\d{2})(\d)\b", re.IGNORECASE)


def version_from(name: str) -> str | None:
    """'nucc_taxonomy_251.csv' -> '25.1' (NUCC's own version naming)."""
    match = _VERSION.search(name)
    return f"{match[1]}.{match[2]}" if match else None


def read(source: Source) -> pl.DataFrame:
    frame = text_table(source.path)
    check_header(frame.columns, schemas.NUCC_COLUMNS, kind=KIND, name=source.name)
    # every NUCC code is 10 characters ending in X; anything else means a damaged file
    check_pattern(frame, "Code", r"^[0-9A-Z]{9}X$", name=source.name, rule="taxonomy codes", first_row=2)
    check_unique(frame, ["Code"], name=source.name, first_row=2)
    return frame
