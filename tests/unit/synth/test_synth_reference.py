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


def test_the_vendored_extracts_are_enough(tmp_path) -> None:
    """On a fresh clone (no reference folder) the generator draws from data/reference."""
    from careatlas.shared.reference_folder import VENDORED_DIR

    summary = generate_file(tmp_path / "vendored.csv", rows=3000, seed=3, reference_dir=VENDORED_DIR,
                            release=date(2025, 4, 6))
    crosswalk = pl.read_csv(VENDORED_DIR / "ZIP_COUNTY_032023.converted.csv", infer_schema=False)
    with summary.path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Entity Type Code"]]
    zips = {r["Provider Business Practice Location Address Postal Code"][:5] for r in rows}
    assert len(zips & set(crosswalk["ZIP"])) > 0.9 * len(zips)
    states = [r["Provider Business Practice Location Address State Name"] for r in rows]
    # weighted by ZCTA population: Connecticut is drawn in proportion, whatever its county codes
    assert states.count("CA") > states.count("WY") * 5 and states.count("CT") > states.count("WY")


def test_a_folder_without_the_population_file_falls_back_to_the_vendored_one(tmp_path) -> None:
    from careatlas.shared.reference_folder import VENDORED_DIR
    from careatlas.synth import reference

    partial = tmp_path / "reference"
    partial.mkdir()
    (partial / "ZIP_COUNTY_032023.converted.csv").write_bytes(
        (VENDORED_DIR / "ZIP_COUNTY_032023.converted.csv").read_bytes())
    import numpy as np

    places = reference.load_places(partial)
    weights = np.diff(places.zip5.cumulative, prepend=0.0)
    share = dict(zip(places.zip5.values.to_list(), weights.tolist(), strict=True))
    # ZCTA populations from data/reference: a Bronx ZIP of ~100k people outweighs Beverly Hills' 90210 (~20k)
    assert len(share) == 39_501 and share["10467"] > 3 * share["90210"]
