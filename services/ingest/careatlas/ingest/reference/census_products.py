"""Census products other than the ACS, by county: the offline demographics of the embedded default.

* ``pep_population``: Population Estimates county totals (co-est<YYYY>-alldata; our copy is
  County Health Rankings' ``pep_v2024_county_totals.csv``), label = the vintage, which is also
  the year of the file's latest ``POPESTIMATE<YYYY>`` column;
* ``pep_agesex``: Population Estimates by age and sex (cc-est<YYYY>-agesex-all), one row per
  county and ``YEAR`` code (2020s series: 1 = April 2020 base, then 2 + n = July 1, 2020 + n);
* ``saipe``: Small Area Income and Poverty Estimates (est<YY>all, as CSV).

Each file is landed as it is (every column as text, names exact) with the provenance columns.
The columns downstream reads are checked by name, so the full file and the vendored extract of
data/reference/ (a subset of its columns and rows) both load. Census files are Latin-1 (PEP
age/sex spells Doña Ana with a Latin-1 byte); UTF-8 copies load too.
"""

from __future__ import annotations

import io
import re

import polars as pl

from careatlas.ingest.reference import schemas
from careatlas.ingest.reference.common import ReferenceError, Source, check_pattern, check_unique

KINDS = ("pep_population", "pep_agesex", "saipe")
DEFAULT_URLS = {
    "pep_population": "https://www2.census.gov/programs-surveys/popest/datasets/2020-2024/counties/totals/"
    "co-est2024-alldata.csv",
    "pep_agesex": "https://www2.census.gov/programs-surveys/popest/datasets/2020-2023/counties/asrh/"
    "cc-est2023-agesex-all.csv",
    # SAIPE publishes counties as .xls and fixed-width .txt only: there is no CSV to default to
}
_VINTAGE_IN_NAME = {
    "pep_population": re.compile(r"(?:co-est|pep_v)(\d{4})", re.IGNORECASE),
    "pep_agesex": re.compile(r"(?:cc-est|pep_v)(\d{4})", re.IGNORECASE),
    "saipe": re.compile(r"saipe[_-]?(\d{4})|est(\d{2})all", re.IGNORECASE),
}
_POPESTIMATE = re.compile(r"^POPESTIMATE(\d{4})$")
# counts and percents as Census writes them ('58809', '40.0', '12.5'); SAIPE writes '.' for none
_NUMBER = r"^(-?\d+(\.\d+)?|\.)$"
_HEADER_SEARCH_ROWS = 5


def vintage_from(kind: str, name: str) -> str | None:
    """'co-est2024-alldata.csv' -> '2024', 'cc-est2023-agesex-all.csv' -> '2023', 'est23all' -> '2023'."""
    match = _VINTAGE_IN_NAME[kind].search(name)
    if not match:
        return None
    return match[1] or f"20{match[2]}"


def read(kind: str, source: Source, label: str | None) -> tuple[pl.DataFrame, str]:
    """The file's rows as text and its vintage (given, from the file name, or from the content)."""
    reader = {"pep_population": _pep_population, "pep_agesex": _pep_agesex, "saipe": _saipe}[kind]
    return reader(source, label or vintage_from(kind, source.name))


def _pep_population(source: Source, vintage: str | None) -> tuple[pl.DataFrame, str]:
    frame, first_row = _text_csv(source)
    if "statecode" not in frame.columns and set(schemas.PEP_POPULATION_CENSUS_IDS) <= set(frame.columns):
        frame = _with_chr_ids(frame)
    _check_columns(frame, schemas.PEP_POPULATION_COLUMNS, "pep_population", source)
    years = sorted(m[1] for c in frame.columns if (m := _POPESTIMATE.match(c)))
    vintage = _agree(source, vintage, years[-1] if years else None)
    _check_columns(frame, schemas.pep_population_columns(vintage), "pep_population", source)
    _check_codes(frame, source, "statecode", "countycode", first_row)
    _check_numbers(frame, [f"POPESTIMATE{vintage}"], source, first_row)
    check_unique(frame, ["statecode", "countycode"], name=source.name, first_row=first_row)
    return frame, vintage


def _pep_agesex(source: Source, vintage: str | None) -> tuple[pl.DataFrame, str]:
    frame, first_row = _text_csv(source)
    _check_columns(frame, schemas.PEP_AGESEX_COLUMNS, "pep_agesex", source)
    _check_codes(frame, source, "STATE", "COUNTY", first_row)
    check_pattern(frame, "YEAR", r"^\d{1,2}$", name=source.name, rule="YEAR codes", first_row=first_row)
    _check_numbers(frame, schemas.PEP_AGESEX_COLUMNS[6:], source, first_row)
    check_unique(frame, ["STATE", "COUNTY", "YEAR"], name=source.name, first_row=first_row)
    # YEAR 2 + n is July 1 of 2020 + n: a file's latest estimate bounds its vintage from below
    latest = str(2018 + int(frame["YEAR"].cast(pl.Int32).max())) if frame.height else None
    vintage = vintage or latest
    if vintage is None:
        raise ReferenceError(f"cannot tell the vintage of {source.name}: pass --vintage")
    if latest and latest > vintage:
        raise ReferenceError(f"{source.name} holds July {latest} estimates (YEAR codes up to "
                             f"{frame['YEAR'].cast(pl.Int32).max()}), so it is not vintage {vintage}")
    return frame, vintage


def _saipe(source: Source, vintage: str | None) -> tuple[pl.DataFrame, str]:
    frame, first_row = _text_csv(source, "State FIPS Code")
    _check_columns(frame, schemas.SAIPE_COLUMNS, "saipe", source)
    _check_codes(frame, source, "State FIPS Code", "County FIPS Code", first_row)
    _check_numbers(frame, schemas.SAIPE_COLUMNS[4:], source, first_row)
    check_unique(frame, ["State FIPS Code", "County FIPS Code"], name=source.name, first_row=first_row)
    if vintage is None:
        raise ReferenceError(f"cannot tell the SAIPE year from {source.name}: pass --vintage")
    return frame, vintage


def _text_csv(source: Source, first_column: str | None = None) -> tuple[pl.DataFrame, int]:
    """Every column as text; returns the frame and the file row of its first data row.

    SAIPE spreadsheets saved as CSV keep their title lines above the header: given
    ``first_column``, the header is the first of the first few lines that starts with it."""
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # what the Census Bureau writes; never fails
    lines = text.splitlines()[:_HEADER_SEARCH_ROWS] if first_column else []
    skip = next((n for n, line in enumerate(lines) if line.lstrip('"').startswith(first_column or "")), 0)
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, skip_rows=skip)
    except pl.exceptions.PolarsError as error:
        raise ReferenceError(f"{source.name} is not a readable CSV: {error}") from None
    return frame, skip + 2


def _with_chr_ids(frame: pl.DataFrame) -> pl.DataFrame:
    statecode = pl.col("STATE").str.strip_chars().str.zfill(2)
    countycode = pl.col("COUNTY").str.strip_chars().str.zfill(3)
    return frame.select(
        statecode.alias("statecode"), countycode.alias("countycode"), (statecode + countycode).alias("fipscode"),
        pl.all(),
    )


def _check_columns(frame: pl.DataFrame, required: list[str], kind: str, source: Source) -> None:
    missing = [c for c in required if c not in frame.columns]
    if not missing:
        return
    other = schemas.looks_like(frame.columns)
    label = schemas.LABELS[kind]
    hint = f"; it looks like a {other} file" if other and other != label else ""
    shown = ", ".join(frame.columns[:12]) + (", ..." if frame.width > 12 else "")
    raise ReferenceError(f"{source.name} is not a {label} file: missing columns {missing} (it has {shown}){hint}")


def _check_codes(frame: pl.DataFrame, source: Source, state: str, county: str, first_row: int) -> None:
    check_pattern(frame, state, r"^\d{2}$", name=source.name, rule="2-digit state codes", first_row=first_row)
    check_pattern(frame, county, r"^\d{3}$", name=source.name, rule="3-digit county codes", first_row=first_row)


def _check_numbers(frame: pl.DataFrame, fields: list[str], source: Source, first_row: int) -> None:
    """Numbers or empty (the US row of PEP totals is blank): anything else names row and field."""
    for field in fields:
        values = frame[field].str.strip_chars()
        bad = values.is_not_null() & (values != "") & ~values.str.contains(_NUMBER)
        if bad.any():
            rows = bad.arg_true()[:3].to_list()
            shown = ", ".join(f"row {r + first_row}: {frame[field][r]!r}" for r in rows)
            raise ReferenceError(f"{source.name}: {bad.sum()} values of {field} are not numbers ({shown})")


def _agree(source: Source, stated: str | None, latest: str | None) -> str:
    """PEP totals: a vintage's latest estimate is of its own year, so the columns tell it."""
    if latest is None:
        raise ReferenceError(f"{source.name} is not a {schemas.LABELS['pep_population']} file: "
                             "no POPESTIMATE<YYYY> column")
    if stated and stated != latest:
        raise ReferenceError(f"{source.name}: vintage {stated} (from the name or --vintage) but its latest "
                             f"column is POPESTIMATE{latest}")
    return latest
