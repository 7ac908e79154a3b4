"""With the real reference files: real ZIPs whose state matches the crosswalk, real NUCC codes."""

from __future__ import annotations

import csv
from datetime import date

import polars as pl

from careatlas.synth.nppes import generate_file


def test_reference_zips_and_codes(reference_dir, tmp_path) -> None:
    summary = generate_file(tmp_path / "ref.csv", rows=3000, seed=2, reference_dir=reference_dir,
                            release=date(2025, 4, 6))
    crosswalk = pl.read_csv(reference_dir / "ZIP_COUNTY_032023.converted.csv", infer_schema=False)
    zip_state = dict(crosswalk.select("ZIP", "USPS_ZIP_PREF_STATE").unique().iter_rows())
    codes = set(pl.read_csv(reference_dir / "nucc_taxonomy_251.csv", infer_schema=False)["Code"])
    with summary.path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Entity Type Code"]]
    prefix = "Provider Business Practice Location Address "
    domestic = [r for r in rows if r[prefix + "State Name"] not in {"AA", "AE", "AP"}
                and r[prefix + "Country Code (If outside U.S.)"] == "US"]
    assert all(zip_state[r[prefix + "Postal Code"][:5]] == r[prefix + "State Name"] for r in domestic)
    assert len({r[prefix + "State Name"] for r in domestic}) > 40
    used = {r[f"Healthcare Provider Taxonomy Code_{n}"] for r in rows for n in range(1, 5)} - {""}
    assert used <= codes and len(used) > 100
    states = [r[prefix + "State Name"] for r in domestic]
    assert states.count("CA") > states.count("WY") * 5  # spread by population
