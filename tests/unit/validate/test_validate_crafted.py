"""careatlas validate on a crafted lake (crafted.py), on a local folder and on S3: every figure
below is worked out by hand from the rows written there."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from fixtures import validation_lake as crafted
from support.cli import run_cli

from careatlas.shared import layout
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import Lake
from careatlas.validate.ahrf import nearest_year
from careatlas.validate.run import read_summary, read_table


@pytest.fixture(params=["local", "s3"])
def lake_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "s3":
        return request.getfixturevalue("s3_env")["CAREATLAS_LAKE"]
    return str(tmp_path / "lake")


@pytest.fixture
def references(tmp_path: Path) -> Path:
    return crafted.reference_folder(tmp_path / "reference")


def _lake(uri: str) -> Lake:
    get_settings.cache_clear()
    return Lake(uri, get_settings())


def _validate(lake_uri: str, references: Path, against: str, *extra: str) -> dict:
    result = run_cli("validate", "--against", against, "--lake", lake_uri, "--reference", str(references),
                     "--json", *extra)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def test_chr_figures_and_causes(lake_uri: str, references: Path) -> None:
    crafted.write(_lake(lake_uri))
    summary = _validate(lake_uri, references, "chr")
    # v062 pairs (ours vs CHR, people per provider): 01001 1000/1250 (-20%), 01003 1500/3000
    # (-50%), 01005 2000/2000, 02261 3000 vs 02063+02066 = 9000/3 = 3000; 01007 suppressed in both.
    v062 = summary["measures"]["v062"]
    assert v062["counties_compared"] == 4
    assert v062["spearman"] == pytest.approx(3 / math.sqrt(22.5))
    assert v062["median_abs_pct_diff"] == pytest.approx(10.0)
    assert v062["counties_over_20pct"] == 1
    # CareAtlas's own (core mental health): 2500, 3000, 4000, 4500: +100, 0, +100, +50%
    assert v062["careatlas"]["median_abs_pct_diff"] == pytest.approx(75.0)
    assert v062["careatlas"]["counties_over_20pct"] == 3
    # v131: only 01001 in CHR's file: 2500 vs 2000, +25%
    assert summary["measures"]["v131"]["counties_compared"] == 1
    assert summary["measures"]["v131"]["counties_over_20pct"] == 1
    # overall, both measures: |d| = 20, 50, 0, 0, 25; ranks (1,2,3,5,4) vs (1,4.5,2.5,4.5,2.5)
    assert (summary["counties_compared"], summary["counties_over_20pct"]) == (5, 2)
    assert summary["median_abs_pct_diff"] == pytest.approx(20.0)
    assert summary["spearman"] == pytest.approx(5 / math.sqrt(90))
    table = read_table(_lake(lake_uri), crafted.RUN_ID, "chr")
    causes = dict(zip(table.filter(pl.col("measure") == "v062")["county_fips"],
                      table.filter(pl.col("measure") == "v062")["likely_cause"], strict=True))
    assert causes["01001"] == "agrees within 20%"
    assert causes["01003"].startswith("ZIP-to-county assignment")
    assert causes["01007"].startswith("no provider in either")
    assert table.filter(pl.col("county_fips") == "02261")["geography_basis"].to_list() == ["harmonised"]
    assert read_summary(_lake(lake_uri), crafted.RUN_ID, "chr") == summary


def test_chr_names_another_nppes_release_as_the_cause(tmp_path: Path, references: Path) -> None:
    uri = str(tmp_path / "lake")
    crafted.write(_lake(uri), release="2025-01-12")
    _validate(uri, references, "chr")
    table = read_table(_lake(uri), crafted.RUN_ID, "chr")
    cause = table.filter((pl.col("county_fips") == "01003") & (pl.col("measure") == "v062"))["likely_cause"]
    assert cause.to_list() == ["different NPPES release (run 2025-01-12; CHR 2025 used June 2024)"]


def test_hpsa_confusion_auc_and_missed_counties(lake_uri: str, references: Path) -> None:
    crafted.write(_lake(lake_uri))
    summary = _validate(lake_uri, references, "hpsa")
    # screened: 01001 TP, 02261 TP (02063 designated, harmonised), 01009 FP, 01011 TN (its HPSA is
    # withdrawn), 01003/01005/01007 FN; 01013 (no screen), 09110 (no screen) and PR left out
    assert {k: summary[k] for k in ("true_positives", "false_positives", "false_negatives", "true_negatives")} \
        == {"true_positives": 2, "false_positives": 1, "false_negatives": 3, "true_negatives": 1}
    assert (summary["sensitivity"], summary["specificity"]) == (pytest.approx(0.4), pytest.approx(0.5))
    # scores: designated 90, 40, 60, 20, 70 against 80, 10, 50: 9 of 15 pairs ordered
    assert summary["auc"] == pytest.approx(0.6)
    assert summary["missed_by_reason"] == {
        "sub-county service areas: the HPSAs cover under 90% of the county's people": 1,
        "high-needs designation: HRSA's high-need indicators go beyond the screen's": 1,
        "FTEs: the headcount ratio is under 3,500:1; HRSA counts full-time equivalents": 1,
    }
    table = read_table(_lake(lake_uri), crafted.RUN_ID, "hpsa")
    share = table.filter(pl.col("county_fips") == "01003")["designated_population_share"]
    assert share.to_list() == [pytest.approx(0.3)]


def test_ahrf_nearest_year_with_connecticut_harmonised(lake_uri: str, references: Path) -> None:
    crafted.write(_lake(lake_uri))
    summary = _validate(lake_uri, references, "ahrf")
    # 2021 is nearest 2024; 01001 2500 vs 2000 (+25%), 01005 1000 vs 1000, 09110 3000 vs the
    # seed-weighted mean of 09003 and 09013 (1000 x 0.918487 + 2000 x 1) / 1.918487; 01003 is NA
    ct = (0.918487 * 1000 + 2000) / 1.918487
    assert summary["ahrf_year"] == 2021
    assert summary["counties_compared"] == 3
    assert summary["median_abs_pct_diff"] == pytest.approx(25.0)
    assert summary["counties_over_20pct"] == 2
    assert summary["spearman"] == pytest.approx(0.5)
    table = read_table(_lake(lake_uri), crafted.RUN_ID, "ahrf")
    assert table.filter(pl.col("county_fips") == "09110")["pct_diff"].to_list() == [
        pytest.approx(100 * (3000 - ct) / ct)]


@pytest.mark.parametrize(("years", "release", "expected"),
                         [([2014, 2021], "2024-06-09", 2021), ([2014, 2016, 2018], "2017-01-01", 2018),
                          ([2014, 2015], "2014-12-01", 2014), ([2019, 2020], None, 2020)])
def test_nearest_ahrf_year(years: list[int], release: str | None, expected: int) -> None:
    assert nearest_year(years, release) == expected


@pytest.mark.parametrize("against", ["chr", "hpsa", "ahrf"])
def test_an_absent_reference_file_exits_3(tmp_path: Path, against: str) -> None:
    uri = str(tmp_path / "lake")
    crafted.write(_lake(uri))
    result = run_cli("validate", "--against", against, "--lake", uri, "--file", str(tmp_path / "absent.csv"))
    assert result.exit_code == 3
    assert "absent.csv" in result.flat_stderr
    assert not _lake(uri).exists(layout.validation_summary(crafted.RUN_ID, against))


def test_chr_without_a_reference_folder_exits_3_and_says_why(tmp_path: Path) -> None:
    uri = str(tmp_path / "lake")
    crafted.write(_lake(uri))
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("validate", "--against", "chr", "--lake", uri, "--reference", str(empty))
    assert result.exit_code == 3
    assert "CCBY-NC-SA" in result.flat_stderr


def test_a_file_of_another_kind_is_named(tmp_path: Path, references: Path) -> None:
    uri = str(tmp_path / "lake")
    crafted.write(_lake(uri))
    result = run_cli("validate", "--against", "ahrf", "--lake", uri,
                     "--file", str(references / "chr" / "v062_r2025.csv"))
    assert result.exit_code == 1
    assert "v062_r2025.csvisnotanAHRF" in result.flat_stderr
