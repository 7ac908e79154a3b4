"""Demographics from the offline Census products (PEP population, PEP age, SAIPE) when the lake
holds no ACS vintage: chosen in Python, labelled by product in the marts and latest.json, and
mapped onto the crosswalk through the harmonisation seed (Connecticut's planning regions)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixtures import offline_census, scenario
from fixtures.scenario import (
    CHITTENDEN,
    CHUGACH,
    COPPER_RIVER,
    GREATER_BRIDGEPORT,
    NAUGATUCK_VALLEY,
    WESTERN_CT,
    fairfield_weights,
    offline_counties,
)

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake
from careatlas.transform import inputs
from careatlas.transform.dbt_runner import DEFAULT_PROJECT_DIR
from careatlas.transform.inputs import MissingInput

PEP, AGES, SAIPE = ("Census PEP Vintage 2024 (July 1, 2024)",
                    "Census PEP Vintage 2023 county characteristics (July 1, 2023)", "Census SAIPE 2023")


def row(frame: pl.DataFrame, fips: str) -> dict:
    [found] = frame.filter(pl.col("county_fips") == fips).to_dicts()
    return found


def test_offline_build_names_each_measure_by_product(offline) -> None:
    assert offline.result["rebaseline"] is True  # another product is another geography
    recorded = offline.result["inputs"]["demographics"]
    assert recorded["product"] == "census_offline" and offline.result["inputs"]["acs_year"] is None
    assert recorded["vintages"] == {"pep_population": 2024, "pep_agesex": 2023, "saipe": 2023}
    assert {m: s["source"] for m, s in recorded["measures"].items()} == {
        "total_population": PEP, "population_under_18": AGES, "population_18_64": AGES,
        "population_65_plus": AGES, "poverty_rate_pct": SAIPE, "median_household_income_usd": SAIPE,
        "uninsured_rate_pct": None}
    county = row(offline.mart("dim_counties"), CHITTENDEN)
    assert (county["total_population_source"], county["population_65_plus_source"], county["poverty_rate_source"],
            county["uninsured_rate_source"]) == (PEP, AGES, SAIPE, None)
    # population from PEP's July 1 2024 column (the file's other years differ on purpose), age
    # from the county characteristics' July 1 2023 row (not the April 2020 base)
    assert (county["total_population"], county["population_under_18"], county["population_65_plus"]) == (
        7200, 1500, 1000)
    assert county["poverty_rate_pct"] == 10.5 and county["median_household_income_usd"] == 80000
    assert county["uninsured_rate_pct"] is None  # no source: null, never 0
    assert county["population_65_plus_pct"] == pytest.approx(100 * 1000 / 7000)  # of the age product's people
    # the measure without a source is a warning in latest.json
    assert "demographic_measures_without_a_source" in offline.result["warnings"]
    with duckdb.connect(str(offline.warehouse), read_only=True) as con:
        nation = con.execute("select median_household_income_usd from staging.stg_census__saipe_estimates "
                             "where geography_level = 'nation'").fetchone()
    assert nation == (None,)  # SAIPE's '.' (no estimate) is null
    states = offline.mart("fct_state_provider_density")
    alaska = states.filter(pl.col("state_code") == "AK").to_dicts()[0]
    assert alaska["total_population"] == 9200 and alaska["total_population_source"] == PEP


def test_offline_counties_meet_the_crosswalk(offline) -> None:
    access = offline.mart("fct_county_access")
    # the 2019 Alaska counties are in both the crosswalk and PEP V2024: direct
    chugach, copper = row(access, CHUGACH), row(access, COPPER_RIVER)
    assert (chugach["crosswalk_coverage"], chugach["primary_care_providers"]) == ("full", 3)
    assert (copper["primary_care_providers"], copper["core_mental_health_providers"]) == (1, 1)
    # the crosswalk's old Fairfield County lands on the planning regions by the seed's shares
    weights = fairfield_weights()
    assert set(weights) == {GREATER_BRIDGEPORT, NAUGATUCK_VALLEY, WESTERN_CT}
    for region, weight in weights.items():
        county = row(access, region)
        assert county["crosswalk_coverage"] == "harmonised"
        assert county["primary_care_providers"] == pytest.approx(10 * weight)
    assert sum(row(access, r)["individual_providers"] for r in weights) == pytest.approx(10)
    # Puerto Rico is a territory PEP's county file does not cover: its own class
    outside = offline.mart("fct_providers_outside_counties")
    assert outside.filter(pl.col("location_class") == "territory_not_in_demographics")["providers"].sum() == 1
    assert access["individual_providers"].sum() == pytest.approx(53 + 10)  # the baseline's and Stamford's


def cume_dist(values: list[float]) -> list[float]:
    return [sum(other <= value for other in values) / len(values) for value in values]


def test_missing_uninsured_rate_is_re_weighted_not_ranked_lowest(offline) -> None:
    """Offline there is no uninsured measure: demographic need is the mean of the poverty and 65+
    percentiles, and the composite keeps all three components at full weight."""
    ranked = offline.mart("fct_underserved_counties").sort("county_fips").to_dicts()
    poverty = cume_dist([c["poverty_rate_pct"] for c in ranked])
    elderly = cume_dist([c["population_65_plus_pct"] for c in ranked])
    for i, county in enumerate(ranked):
        assert county["uninsured_rate_pct"] is None
        assert county["demographic_need_score"] == pytest.approx((poverty[i] + elderly[i]) / 2)
        assert county["score_weight_used"] == pytest.approx(1)
    assert sorted(c["underserved_rank"] for c in ranked) == list(range(1, len(ranked) + 1))


def test_offline_products_are_chosen_only_without_acs(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"), Settings())
    scenario.write_baseline(lake)
    offline_census.write(lake, offline_counties())
    assert inputs.plan(lake, None, project_dir=DEFAULT_PROJECT_DIR).demographics.product == "acs5"
    lake.delete([k for k in lake.list("reference/census/acs5") if k.endswith(".parquet")])
    planned = inputs.plan(lake, None, project_dir=DEFAULT_PROJECT_DIR)
    assert planned.demographics.product == "census_offline" and planned.acs_year is None
    assert planned.demographics.expected_rows["census_saipe"] == 1 + 4 + len(offline_counties())  # US, 4 states
    lake.delete([k for k in lake.list("reference/census/saipe")])
    with pytest.raises(MissingInput, match=r"no offline Census product saipe \(.*reference/census/saipe\)"):
        inputs.plan(lake, None, project_dir=DEFAULT_PROJECT_DIR)
