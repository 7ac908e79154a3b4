"""Re-cut every vendored extract in this folder from the full reference files.

    uv run python data/reference/extract.py [--source DIR] [--out DIR] [--table]

``--source`` defaults to $CAREATLAS_REFERENCE_DIR, else ../shared/reference beside the checkout.
An extract keeps a subset of the source's columns (in source order) and rows, with every value,
the header names, the encoding and the line ending exactly as the source has them, so the same
source always gives the same bytes (tests/unit/reference/test_reference_vendored_extracts.py checks that
against the committed files and README.md's checksums). ``--table`` prints README.md's table.
Standard library only: it runs before ``uv sync``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@dataclass(frozen=True)
class Extract:
    path: str  # the same relative path in this folder and in the reference folder
    product: str
    vintage: str
    licence: str
    columns: tuple[str, ...] | None = None  # None: every column
    keep_row: Callable[[dict[str, str]], bool] | None = None  # None: every row
    rows_note: str = "all rows"
    encoding: str = "utf-8"

    @property
    def verbatim(self) -> bool:
        return self.columns is None and self.keep_row is None


PUBLIC_DOMAIN = "public domain (US federal data)"
EXTRACTS = (
    Extract("nucc_taxonomy_251.csv", "NUCC Health Care Provider Taxonomy code set", "25.1",
            "free to use with attribution to the NUCC"),
    Extract("ZIP_COUNTY_032023.converted.csv", "HUD-USPS ZIP Code Crosswalk, ZIP->county", "2023Q1",
            PUBLIC_DOMAIN),
    Extract("census/offline/pep_v2024_county_totals.csv", "Census PEP county population totals "
            "(co-est2024-alldata)", "V2024", PUBLIC_DOMAIN,
            columns=("statecode", "countycode", "state", "county", "fipscode", "SUMLEV", "REGION", "DIVISION",
                     "STNAME", "CTYNAME", "ESTIMATESBASE2020", "POPESTIMATE2024")),
    Extract("census/offline/pep_v2023_county_agesex.csv", "Census PEP county population by age and sex "
            "(cc-est2023-agesex-all)", "V2023", PUBLIC_DOMAIN,
            columns=("SUMLEV", "STATE", "COUNTY", "STNAME", "CTYNAME", "YEAR", "POPESTIMATE", "UNDER5_TOT",
                     "AGE513_TOT", "AGE1417_TOT", "AGE18PLUS_TOT", "AGE1544_FEM", "AGE65PLUS_TOT", "MEDIAN_AGE_TOT"),
            keep_row=lambda row: row["YEAR"] == "5", rows_note="YEAR = 5 (the July 1, 2023 estimate)",
            encoding="latin-1"),
    Extract("census/offline/saipe_2023_county.csv", "Census Small Area Income and Poverty Estimates (SAIPE)",
            "2023", PUBLIC_DOMAIN,
            columns=("State FIPS Code", "County FIPS Code", "Postal Code", "Name", "Poverty Estimate, All Ages",
                     "Poverty Percent, All Ages", "Poverty Estimate, Age 0-17", "Poverty Percent, Age 0-17",
                     "Median Household Income")),
    Extract("rural/Ruralurbancontinuumcodes2023.csv", "USDA ERS Rural-Urban Continuum Codes", "2023",
            PUBLIC_DOMAIN),
    Extract("rural/ruca_2010_zip.csv", "USDA ERS Rural-Urban Commuting Area codes, ZIP approximation", "2010",
            PUBLIC_DOMAIN, columns=("ZIP_CODE", "STATE", "RUCA1", "RUCA2")),
    Extract("geo/gazetteer_2023_zctas.csv", "Census Gazetteer ZCTAs", "2023",
            "public domain (Census data), MIT packaging: us_geo_MIT_LICENSE.txt",
            columns=("ZCTA5", "Primary County", "Population", "Land Area", "Latitude", "Longitude")),
    Extract("geo/gazetteer_2023_counties.csv", "Census Gazetteer counties", "2023",
            "public domain (Census data), MIT packaging: us_geo_MIT_LICENSE.txt",
            columns=("GEOID", "Name", "State", "Population", "Land Area", "Latitude", "Longitude")),
    Extract("geo/us_geo_MIT_LICENSE.txt", "MIT notice of the us_geo packaging", "-", "MIT"),
    Extract("hrsa/ahrf_population_per_pcp_2014_2021.csv", "HRSA AHRF population per primary-care physician",
            "2014-2021", PUBLIC_DOMAIN,
            columns=("year", "state", "county", "ratio_population_pc_physician",
                     "ratio_population_pc_physician_flag_low_pop", "ratio_population_pc_physician_quality")),
    Extract("hrsa/hpsa_primary_care_designated_2020.csv", "HRSA primary-care HPSA components by county",
            "2020-06-15", PUBLIC_DOMAIN),
    Extract("hrsa/hpsa_primary_care_county_score_2020.csv", "HRSA primary-care HPSA score by county", "2020",
            PUBLIC_DOMAIN),
)


def default_source() -> Path:
    return Path(os.environ.get("CAREATLAS_REFERENCE_DIR") or REPO.parent / "shared" / "reference")


def cut(extract: Extract, source: Path) -> bytes:
    """The extract's bytes, cut from the full file in ``source``."""
    data = (source / extract.path).read_bytes()
    if extract.verbatim:
        return data
    text = data.decode(extract.encoding)
    newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1] else "\n"
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in extract.columns or () if c not in (reader.fieldnames or [])]
    if missing:
        raise SystemExit(f"{source / extract.path}: no column {missing} (columns: {reader.fieldnames})")
    columns = [c for c in reader.fieldnames or [] if c in (extract.columns or reader.fieldnames)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in reader:
        if extract.keep_row is None or extract.keep_row(row):
            writer.writerow([row[c] for c in columns])
    return out.getvalue().encode(extract.encoding)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table(source: Path) -> str:
    """README.md's checksum table (product, vintage, licence, source and extract sha256)."""
    lines = ["| file | product | vintage | licence | source sha256 | extract sha256 |", "|---|---|---|---|---|---|"]
    for extract in EXTRACTS:
        full = (source / extract.path).read_bytes()
        lines.append(f"| `{extract.path}` | {extract.product} | {extract.vintage} | {extract.licence} | "
                     f"`{sha256(full)}` | `{sha256(cut(extract, source))}` |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None, help="the full reference files")
    parser.add_argument("--out", type=Path, default=HERE, help="where the extracts go (default: here)")
    parser.add_argument("--table", action="store_true", help="print README.md's checksum table instead")
    args = parser.parse_args(argv)
    source = args.source or default_source()
    if not (source / EXTRACTS[0].path).is_file():
        print(f"no reference files at {source}: pass --source DIR", file=sys.stderr)
        return 3
    if args.table:
        print(table(source))
        return 0
    for extract in EXTRACTS:
        target = args.out / extract.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if extract.verbatim:
            shutil.copyfile(source / extract.path, target)
        else:
            target.write_bytes(cut(extract, source))
        print(f"{target}: {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
