"""Real vocabularies from the reference files: HUD ZIP->county crosswalk and NUCC taxonomy.

ZIPs are weighted by the population of their ZIP Code Tabulation Area (Census Gazetteer 2023,
ACS 2022 counts), which needs no county code to agree between the crosswalk's vintage and a
demographic one; ZIPs without a ZCTA (PO boxes, single-address ZIPs) keep a small weight.
A file the reference folder lacks comes from the vendored extracts (careatlas.shared.reference_folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from careatlas.shared.reference_folder import find
from careatlas.synth import taxonomy_builtin
from careatlas.synth.model import Places, Taxonomy, state_weights

ZIP_FILE = "ZIP_COUNTY_032023.converted.csv"
NUCC_FILE = "nucc_taxonomy_251.csv"
POPULATION_FILE = "geo/gazetteer_2023_zctas.csv"
_ZIP_COLUMNS = ["ZIP", "USPS_ZIP_PREF_CITY", "USPS_ZIP_PREF_STATE"]
_NUCC_COLUMNS = ["Code", "Grouping", "Classification", "Section"]
# share of draws left to codes without a built-in weight
_TAIL_SHARE = {"Individual": 0.08, "Non-Individual": 0.12}


class ReferenceDataError(ValueError):
    """A reference file lacks the columns we need; the message names the file."""


def _read(reference_dir: Path, name: str, columns: list[str]) -> pl.DataFrame:
    path = find(name, reference_dir)
    if path is None:
        raise FileNotFoundError(f"{reference_dir / name}: reference file not found (nor in data/reference)")
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"{path}: missing columns {', '.join(missing)}")
    return frame


def load_places(reference_dir: Path) -> Places:
    crosswalk = _read(reference_dir, ZIP_FILE, _ZIP_COLUMNS)
    zips = crosswalk.group_by("ZIP").agg(
        pl.col("USPS_ZIP_PREF_CITY").first(), pl.col("USPS_ZIP_PREF_STATE").first()
    ).sort("ZIP")
    if find(POPULATION_FILE, reference_dir):
        weights = _population_weights(zips, _read(reference_dir, POPULATION_FILE, ["ZCTA5", "Population"]))
    else:
        weights = state_weights(zips["USPS_ZIP_PREF_STATE"].to_list())
    rows = list(zips.select("ZIP", "USPS_ZIP_PREF_CITY", "USPS_ZIP_PREF_STATE").iter_rows())
    return Places.of(rows, weights)


def _population_weights(zips: pl.DataFrame, zctas: pl.DataFrame) -> np.ndarray:
    per_zip = zctas.select(pl.col("ZCTA5").alias("ZIP"), pl.col("Population").cast(pl.Float64).alias("people"))
    people = zips.join(per_zip, on="ZIP", how="left")["people"].fill_null(0.0).to_numpy()
    # ZIPs without a ZCTA (PO boxes, a hospital's own ZIP) keep a small chance
    floor = float(np.median(people[people > 0])) * 0.05
    weights: np.ndarray = np.maximum(people, floor)
    return weights


def _credential_group(grouping: str, classification: str) -> str:
    return taxonomy_builtin.CLASSIFICATION_CREDENTIALS.get(
        classification, taxonomy_builtin.GROUPING_CREDENTIALS.get(grouping, "other")
    )


def load_taxonomy(reference_dir: Path) -> Taxonomy:
    nucc = _read(reference_dir, NUCC_FILE, _NUCC_COLUMNS)
    known = {row[0]: row for row in taxonomy_builtin.TAXONOMIES}
    rows = [row for row in taxonomy_builtin.TAXONOMIES if row[0] in set(nucc["Code"])]
    tail = nucc.filter(~pl.col("Code").is_in(list(known)) & (pl.col("Grouping") != "Group"))
    counts = tail.group_by("Section").len().rows()
    tail_count = dict(counts)
    mass = {
        section: sum(r[1] if section == "Individual" else r[2] for r in rows) * share / (1 - share)
        for section, share in _TAIL_SHARE.items()
    }
    for code, grouping, classification, section in tail.select(_NUCC_COLUMNS).iter_rows():
        weight = mass.get(section, 0.0) / tail_count.get(section, 1)
        individual = section == "Individual"
        rows.append((code, weight if individual else 0.0, 0.0 if individual else weight,
                     _credential_group(grouping, classification) if individual else "none",
                     (classification or "").upper().replace('"', "'")))
    return Taxonomy.of(rows)
