"""Rurality and the CHR-compatible measures on the built scenario lake (tests/fixtures/scenario.py),
and careatlas validate on that real build: the answers are worked out by hand from the scenario
and the vendored reference files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from careatlas.validate.run import validate

REPO = Path(__file__).resolve().parents[3]
HRSA = REPO / "data" / "reference" / "hrsa"


def _by_county(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["county_fips"], frame[column], strict=True))


def test_counties_get_their_rucc_2023_code(baseline, offline) -> None:
    # USDA ERS RUCC 2023: Chittenden 3, Addison 6, Belknap 4, Carroll 6, Chugach and Copper River 9,
    # the Connecticut planning regions 09120/09140/09190 2
    codes = {"50007": 3, "50001": 6, "33001": 4, "33003": 6, "02063": 9, "02066": 9,
             "09120": 2, "09140": 2, "09190": 2}
    dim = offline.mart("dim_counties")
    assert _by_county(dim, "rucc_2023") == codes
    assert _by_county(dim, "metro_status") == {f: "metro" if c <= 3 else "nonmetro" for f, c in codes.items()}
    assert set(dim["rucc_basis"]) == {"rucc_2023"}
    # the ACS vintage's 02261 is not in the 2023 file: it takes Chugach's code (73% of its people)
    old = baseline.mart("dim_counties").filter(pl.col("county_fips") == "02261")
    assert old.select("rucc_2023", "rucc_basis", "is_metro").row(0) == (9, "harmonised", False)


def test_access_by_rurality_adds_up_the_county_mart(offline) -> None:
    mart = offline.mart("fct_rurality_access")
    access = offline.mart("fct_county_access").join(
        offline.mart("dim_counties").select("county_fips", "metro_status"), on="county_fips")
    metro = mart.filter(pl.col("rurality_level") == "metro_status").sort("rurality_group")
    assert metro["rurality_group"].to_list() == ["metro", "nonmetro"]
    assert metro["counties"].to_list() == [4, 5]
    for group in ("metro", "nonmetro"):
        counties = access.filter(pl.col("metro_status") == group)
        row = metro.filter(pl.col("rurality_group") == group).row(0, named=True)
        people = counties["total_population"].sum()
        assert row["total_population"] == people
        assert row["primary_care_providers_per_100k"] == pytest.approx(
            1e5 * counties["primary_care_providers"].sum() / people)
        screened = counties.filter(pl.col("is_primary_care_shortage"))["total_population"].sum()
        assert row["primary_care_shortage_population_pct"] == pytest.approx(100 * screened / people)
    # every metro county of the scenario (Chittenden 3,600:1, the CT regions ~10,000:1) is screened
    assert metro["primary_care_shortage_population_pct"].to_list()[0] == pytest.approx(100.0)
    rucc = mart.filter(pl.col("rurality_level") == "rucc_2023")
    assert dict(zip(rucc["rurality_group"], rucc["counties"], strict=True)) == {"2": 3, "3": 1, "4": 1, "6": 2, "9": 2}


def test_providers_get_their_practice_zip_ruca_code(offline) -> None:
    import duckdb

    with duckdb.connect(str(offline.warehouse), read_only=True) as con:
        rows = dict(con.execute(
            "select practice_zip5, any_value(practice_ruca_code) from intermediate.int_providers_classified "
            "where practice_zip5 in ('05401', '99686', '03818') group by 1").fetchall())
    # RUCA 2010 ZIP file: Burlington VT 05401 metropolitan core (1), Center Ossipee NH 03818 small
    # town core (7), Valdez AK 99686 rural (10)
    assert rows == {"05401": 1, "03818": 7, "99686": 10}


def test_chr_compatible_counts_follow_chrs_method(offline) -> None:
    counts = offline.mart("fct_chr_provider_counts").filter(pl.col("measure") == "v062")
    # slot-1 codes in CHR's v062 list, each ZIP in the county holding most of its addresses:
    # Chittenden a psychiatrist + the psychologist at 05060 (75% Chittenden); Belknap the school
    # psychologist (a CHR code, not core mental health); Carroll the social worker at 03813 (75%
    # Carroll); Copper River the clinical psychologist; Addison none (10,100 people > 1,000: suppressed)
    assert _by_county(counts, "chr_providers") == {
        "50007": 2, "50001": 0, "33001": 1, "33003": 1, "02063": 0, "02066": 1, "09120": 0, "09140": 0, "09190": 0}
    assert set(counts["population_source"]) == {"Census PEP Vintage 2023 (July 1, 2023)"}
    addison = counts.filter(pl.col("county_fips") == "50001").row(0, named=True)
    assert (addison["is_suppressed"], addison["chr_providers_per_100k"]) == (True, None)
    chittenden = counts.filter(pl.col("county_fips") == "50007").row(0, named=True)
    assert chittenden["chr_people_per_provider"] == pytest.approx(chittenden["total_population"] / 2)


def test_validate_on_the_built_lake_against_the_vendored_hrsa_files(baseline_copy) -> None:
    hpsa = validate(baseline_copy.lake, "latest", "hpsa", [HRSA / "hpsa_primary_care_designated_2020.csv"])
    # designated in 2020: 02261 (2,615 of its 9,000 people) and 33003 (10,612 of 40,000), both
    # missed by the screen as sub-county areas; 50007, 50001 and 33001 are screened, not designated
    assert {k: hpsa.summary[k] for k in ("true_positives", "false_positives", "false_negatives", "true_negatives")} \
        == {"true_positives": 0, "false_positives": 3, "false_negatives": 2, "true_negatives": 0}
    assert list(hpsa.summary["missed_by_reason"].values()) == [2]
    # scores: designated 62.7 and 45.3 against 90.0, 72.7, 41.3: 2 of 6 pairs ordered
    assert hpsa.summary["auc"] == pytest.approx(2 / 6)
    ahrf = validate(baseline_copy.lake, "latest", "ahrf", [HRSA / "ahrf_population_per_pcp_2014_2021.csv"])
    # AHRF 2021 people per PCP: 50007 574, 50001 892, 33003 1,232, 02261 = mean of 02063 631 and
    # 02066 2,611 = 1,621; the run: 3,500, 3,333, 2,000, 2,250 (33001 has no PCP: not compared)
    diffs = [100 * (3500 - 574) / 574, 100 * (10000 / 3 - 892) / 892, 100 * (2000 - 1232) / 1232,
             100 * (2250 - 1621) / 1621]
    assert ahrf.summary["ahrf_year"] == 2021
    assert ahrf.summary["counties_compared"] == 4
    # ranks (4, 3, 1, 2) against (1, 2, 3, 4): 1 - 6 x (9 + 1 + 4 + 4) / (4 x 15)
    assert ahrf.summary["spearman"] == pytest.approx(-0.8)
    assert ahrf.summary["median_abs_pct_diff"] == pytest.approx(sorted(diffs)[1] / 2 + sorted(diffs)[2] / 2)
    assert ahrf.summary["counties_over_20pct"] == 4
    assert baseline_copy.lake.exists(ahrf.table_key) and baseline_copy.lake.exists(ahrf.summary_key)


def test_validate_on_the_built_lake_against_chr(baseline_copy, tmp_path: Path) -> None:
    chr_dir = Path(os.environ.get("CAREATLAS_REFERENCE_DIR", REPO.parent / "shared" / "reference")) / "chr"
    if not (chr_dir / "v062_r2025.csv").is_file():
        pytest.skip(f"County Health Rankings files not found in {chr_dir} (CC BY-NC-SA: never vendored)")
    copy = tmp_path / "v062_r2025.csv"
    shutil.copyfile(chr_dir / "v062_r2025.csv", copy)
    result = validate(baseline_copy.lake, "latest", "chr", [copy])
    rows = {r["county_fips"]: r for r in result.table.iter_rows(named=True)}
    # ACS 2023 geography: CHR's 02063 (15 providers, 6,769 people) and 02066 (9, 2,674) land on 02261
    assert rows["02261"]["geography_basis"] == "harmonised"
    assert rows["02261"]["reference_value"] == pytest.approx((6769 + 2674) / (15 + 9))
    # the run's own counts on ACS denominators: Chittenden 7,000 / 2, Carroll 40,000 / 1
    assert (rows["50007"]["compatible_value"], rows["33003"]["compatible_value"]) == (3500.0, 40000.0)
    assert rows["50001"]["compatible_value"] is None  # no provider: suppressed
    assert result.summary["measures"]["v062"]["counties_compared"] == 4
