"""The county FIPS harmonisation seed: its weights hang together, and the script re-derives it."""

from __future__ import annotations

import csv
import io
import runpy
import sys
from collections import defaultdict
from contextlib import redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "dbt" / "seeds" / "county_fips_harmonization.csv"
SCRIPT = REPO / "dbt" / "scripts" / "county_fips_harmonization.py"


def _rows() -> list[dict[str, str]]:
    with open(SEED, newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_from_county_is_shared_out_whole() -> None:
    totals: dict[str, float] = defaultdict(float)
    for row in _rows():
        assert 0 < float(row["weight"]) <= 1, row
        totals[row["from_fips"]] += float(row["weight"])
    assert {code: round(total, 5) for code, total in totals.items()} == dict.fromkeys(totals, 1.0)


@pytest.mark.parametrize(
    ("old", "new"),
    [("02261", {"02063", "02066"}), ("46113", {"46102"}), ("02270", {"02158"}), ("51515", {"51019"}),
     ("09001", {"09120", "09140", "09190"})],
)
def test_known_changes_are_mapped(old: str, new: set[str]) -> None:
    assert {row["to_fips"] for row in _rows() if row["from_fips"] == old} == new


def test_every_connecticut_region_maps_back_to_counties_and_forward_from_them() -> None:
    rows = _rows()
    regions = {f"09{n}" for n in range(110, 191, 10)}
    assert {r["from_fips"] for r in rows if r["from_fips"] in regions} == regions
    assert {r["to_fips"] for r in rows if r["from_fips"].startswith("090")} == regions


def test_script_re_derives_the_committed_seed(reference_dir: Path) -> None:
    out = io.StringIO()
    argv = sys.argv
    try:
        sys.argv = [str(SCRIPT), str(reference_dir)]
        with redirect_stdout(out):
            runpy.run_path(str(SCRIPT), run_name="__main__")
    finally:
        sys.argv = argv
    assert out.getvalue() == SEED.read_text()
