"""Derive the rurality seeds from the USDA ERS files vendored in data/reference/rural/.

Run from the repository root (the folder defaults to data/reference; ../shared/reference has the
same files):

    uv run python dbt/scripts/rurality_seeds.py [REFERENCE_DIR]

writes dbt/seeds/rucc_2023_counties.csv and dbt/seeds/ruca_2010_zips.csv. Both are static
classifications of one vintage (public domain, USDA ERS), so they are seeds rather than lake
inputs: a new vintage is a new seed, reviewed like code.

* RUCC 2023 (Ruralurbancontinuumcodes2023.csv, one row per county and attribute): the county's
  code 1-9 and its description. 1-3 are metropolitan counties, 4-9 nonmetropolitan (ERS
  documentation). Connecticut is given as its 9 planning regions, Alaska in its 2019 geography.
* RUCA 2010 ZIP approximation (ruca_2010_zip.csv): RUCA1 (primary code 1-10, 99 = no
  population) and RUCA2 (secondary code, e.g. 4.1), one row per ZIP.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "dbt" / "seeds"


def rucc_rows(path: Path) -> list[tuple[str, str, str]]:
    """(county_fips, rucc_2023, rucc_description), one per county, sorted by county."""
    found: dict[str, tuple[str, str, str]] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            code = row["RUCC_2023"].strip()
            if not code:
                continue
            fips = row["FIPS"].strip().zfill(5)
            if not code.isdigit() or not 1 <= int(code) <= 9:
                raise ValueError(f"{path.name}: county {fips} has RUCC_2023 {code!r}, not 1-9")
            found[fips] = (fips, code, row["Description"].strip())
    return [found[fips] for fips in sorted(found)]


def ruca_rows(path: Path) -> list[tuple[str, str, str]]:
    """(zip5, ruca_primary_code, ruca_secondary_code), sorted by ZIP."""
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["ZIP_CODE"].strip().zfill(5), row["RUCA1"].strip(), row["RUCA2"].strip()))
    return sorted(rows)


def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(reference: Path, out: Path = SEEDS) -> None:
    rural = reference / "rural"
    write(out / "rucc_2023_counties.csv", ("county_fips", "rucc_2023", "rucc_description"),
          rucc_rows(rural / "Ruralurbancontinuumcodes2023.csv"))
    write(out / "ruca_2010_zips.csv", ("zip5", "ruca_primary_code", "ruca_secondary_code"),
          ruca_rows(rural / "ruca_2010_zip.csv"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "data" / "reference")
