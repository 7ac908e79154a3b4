"""The rurality seeds are what their script derives from the vendored USDA ERS files, and the
CHR seeds are the lists CHR's method file gives (when the reference folder has it)."""

from __future__ import annotations

import csv
import os
import re
import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / "dbt" / "seeds"
METHOD = Path(os.environ.get("CAREATLAS_REFERENCE_DIR", REPO.parent / "shared" / "reference")) / "chr" \
    / "method_v062_v131_r2025.Rmd"


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_rurality_seeds_are_re_derived_from_data_reference(tmp_path: Path) -> None:
    script = runpy.run_path(str(REPO / "dbt" / "scripts" / "rurality_seeds.py"))
    script["main"](REPO / "data" / "reference", tmp_path)
    for name in ("rucc_2023_counties.csv", "ruca_2010_zips.csv"):
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_rucc_seed_codes_and_known_counties() -> None:
    rows = {row["county_fips"]: row for row in _csv(SEEDS / "rucc_2023_counties.csv")}
    assert {row["rucc_2023"] for row in rows.values()} == {str(n) for n in range(1, 10)}
    # Los Angeles is in a metro of 1 million or more; Loving County TX is the least populated county
    assert rows["06037"]["rucc_2023"] == "1"
    assert rows["48301"]["rucc_2023"] in {"8", "9"}
    assert {"09110", "09190", "02063", "02066"} <= set(rows) and "09001" not in rows


def test_a_bad_rucc_code_names_the_county(tmp_path: Path) -> None:
    script = runpy.run_path(str(REPO / "dbt" / "scripts" / "rurality_seeds.py"))
    bad = tmp_path / "rucc.csv"
    bad.write_text("FIPS,State,County_Name,Population_2020,RUCC_2023,Description\n01001,AL,A,1,12,x\n")
    with pytest.raises(ValueError, match="01001 has RUCC_2023 '12'"):
        script["rucc_rows"](bad)


def _method_list(text: str, name: str) -> set[str]:
    body = re.search(rf"{name}\s*<-\s*c\((.*?)\)", text, re.DOTALL)
    assert body, name
    return set(re.findall(r"'(\w{10})'", body[1]))


@pytest.mark.skipif(not METHOD.is_file(), reason=f"CHR method file not found at {METHOD} (never vendored)")
def test_chr_taxonomy_seed_is_the_method_files_lists() -> None:
    text = METHOD.read_text()
    seed = _csv(SEEDS / "chr_taxonomy_codes.csv")
    assert {r["taxonomy_code"] for r in seed if r["measure"] == "v062"} == _method_list(text, "mh_providers_ls")
    assert {r["taxonomy_code"] for r in seed if r["measure"] == "v131"} == _method_list(text, "other_providers_ls")
    # suppression thresholds as the method file states them
    assert "v062_numerator == 0 & v062_denominator >1000" in text
    assert "v131_numerator == 0 & v131_denominator >4000" in text
    assert {r["suppress_above_population"] for r in seed if r["measure"] == "v062"} == {"1000"}
    assert {r["suppress_above_population"] for r in seed if r["measure"] == "v131"} == {"4000"}


@pytest.mark.skipif(not METHOD.is_file(), reason=f"CHR method file not found at {METHOD} (never vendored)")
def test_chr_zip_updates_are_the_method_files() -> None:
    text = METHOD.read_text().split("update_zip <- function", 1)[1].split("TRUE ~ zipcode", 1)[0]
    expected = {(a, b) for a, b in re.findall(r"zipcode == '(\d{5})' ~ '(\d{5})'", text)}
    for group, target in re.findall(r"zipcode %in% c\(([^)]*)\) ~ '(\d{5})'", text):
        expected |= {(z, target) for z in re.findall(r"'(\d{5})'", group)}
    assert {(r["from_zip5"], r["to_zip5"]) for r in _csv(SEEDS / "chr_zip_updates.csv")} == expected
