"""The default `careatlas demo` (a few states at national density, providers drawn from real county
supply) gives county results a person can use: a minority of counties flagged, a spread of
ratios, primary care ranked like AHRF, every output saying the providers are synthetic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from careatlas.shared.reference_folder import VENDORED_DIR

pytestmark = pytest.mark.e2e
DEMO_STATES = {"MT", "ND", "WY"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    lake = tmp_path_factory.mktemp("demo") / "lake"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREATLAS_")}
    env |= {"CAREATLAS_LOG_FORMAT": "json", "COLUMNS": "100"}
    careatlas = Path(sys.executable).parent / "careatlas"
    done = subprocess.run([str(careatlas), "demo", "--lake", str(lake)], env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return lake, done.stdout


def _mart(lake: Path, name: str) -> pl.DataFrame:
    run_id = json.loads((lake / "marts" / "latest.json").read_text())["run_id"]
    return pl.read_parquet(lake / "marts" / f"run={run_id}" / f"{name}.parquet")


def test_county_results_are_not_degenerate(demo) -> None:
    access = _mart(demo[0], "fct_county_access")
    assert set(access["state_code"]) == DEMO_STATES and access.height == 132
    assert (access["crosswalk_coverage"] == "full").all()
    share = access["is_primary_care_shortage"].mean()
    assert 0.1 < share < 0.6, share  # AHRF 2021 alone puts 33% of these counties at >= 3,500:1
    screens = _mart(demo[0], "fct_underserved_counties")["shortage_screens_met"]
    assert (screens == 3).mean() < 0.5 and (screens == 0).sum() > 0
    ratio = access["people_per_primary_care_provider"].drop_nulls()
    assert ratio.quantile(0.75) > 1.5 * ratio.quantile(0.25)  # a spread, not one national figure
    states = _mart(demo[0], "fct_state_provider_density")["individual_providers_per_100k"]
    assert states.max() > 1.05 * states.min()


def test_primary_care_ranks_like_ahrf(demo) -> None:
    access = _mart(demo[0], "fct_county_access")
    ahrf = pl.read_csv(VENDORED_DIR / "hrsa/ahrf_population_per_pcp_2014_2021.csv", infer_schema=False)
    ratio = pl.col("ratio_population_pc_physician").cast(pl.Float64, strict=False)
    ahrf = ahrf.filter(pl.col("year") == "2021").select(
        (pl.col("state") + pl.col("county")).alias("county_fips"), pl.when(ratio > 0).then(1 / ratio).otherwise(0.0)
        .alias("ahrf_rate"))
    joined = access.join(ahrf, on="county_fips").with_columns(
        rate=pl.col("primary_care_providers") / pl.col("total_population"))
    assert joined.select(pl.corr("rate", "ahrf_rate", method="spearman")).item() > 0.7


def test_everything_says_synthetic(demo) -> None:
    lake, output = demo
    flat = " ".join(output.split())
    assert "Synthetic NPPES:" in flat and "not real providers" in flat and "HRSA AHRF" in flat
    assert "None" not in output and ("│ MT" in output or "│ ND" in output)
    pointer = json.loads((lake / "marts" / "latest.json").read_text())
    synthetic = pointer["synthetic_nppes"]
    assert synthetic["synthetic"] is True and synthetic["states"] == sorted(DEMO_STATES)
    assert synthetic["rows"] == synthetic["full_density_rows"] and synthetic["ahrf_year"] == 2021
    assert "SYNTHETIC NPPES" in (lake / "report.html").read_text()
