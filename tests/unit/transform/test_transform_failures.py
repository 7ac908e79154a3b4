"""A build whose dbt tests fail raises with the failing tests named, stores its dbt results,
and leaves `latest` on the previous run; a fixed release then builds and switches it. Input
mismatches (a vintage and a crosswalk of different geographies) fail the same way."""

from __future__ import annotations

import duckdb
import pytest
from fixtures import scenario
from fixtures.small_lake import County, Provider, SmallLake

from careatlas.shared import layout
from careatlas.transform import export
from careatlas.transform.build import BuildFailed

BAD_NPI = 1000000019  # make_npi(1) is 1000000010: the last digit is not the check digit


def test_failing_dbt_test_keeps_latest_on_the_previous_run(baseline_copy) -> None:
    built = baseline_copy
    providers = scenario.baseline_providers()
    small = SmallLake(built.lake)
    small.nppes_release("2025-02-09", [*providers, Provider(BAD_NPI)], version="v1")

    with pytest.raises(BuildFailed) as failure:
        built.build("bad-release")
    assert "npi_check_digit_stg_nppes__providers_npi" in failure.value.failed_tests
    assert "npi_check_digit" in str(failure.value)
    assert export.read_latest(built.lake)["run_id"] == "baseline"
    assert not built.lake.list(layout.marts_run("bad-release"))
    stored = built.lake.read_json(export.dbt_results_key("bad-release"))
    assert any(r["status"] == "fail" for r in stored["results"])

    small.nppes_release("2025-02-09", providers, version="v2")  # ingest republishes, fixed
    fixed = built.build("fixed-release")
    assert fixed["rebaseline"] is True
    assert export.read_latest(built.lake)["run_id"] == "fixed-release"
    assert fixed["inputs"]["nppes_full"] == {"release": "2025-02-09", "version": "v2", "rows": len(providers)}


def test_input_mismatches_fail_the_build_and_never_read_as_shortage(baseline_copy) -> None:
    """A vintage with a county no ZIP reaches (Essex VT) and without one the crosswalk uses
    (Carroll NH, 30 of 58 providers): error-severity coverage and share tests fail the build,
    and the county without coverage has unknown counts and null screens, not a shortage."""
    built = baseline_copy
    counties = [c for c in scenario.counties(2023) if c.fips != scenario.CARROLL]
    counties.append(County("50009", "Essex County, Vermont", 6000, 1200, age_65_plus=1500, uninsured=500,
                           under_18=1000))
    SmallLake(built.lake).census(2023, counties)

    with pytest.raises(BuildFailed) as failure:
        built.build("mismatch")
    assert {"counties_with_people_have_crosswalk_weight",
            "providers_in_counties_the_demographics_lack"} <= set(failure.value.failed_tests)
    assert export.read_latest(built.lake)["run_id"] == "baseline"
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        essex = con.execute(
            "select crosswalk_coverage, individual_providers, is_primary_care_shortage, is_dental_shortage, "
            "is_mental_health_shortage from marts.fct_county_access where county_fips = '50009'").fetchone()
        unplaced = con.execute("select sum(providers) from marts.fct_providers_outside_counties "
                               "where location_class = 'county_not_in_demographics'").fetchone()[0]
    assert essex == ("none", None, None, None, None)
    assert unplaced == pytest.approx(30.75)  # Carroll's 30 and 0.75 of the 03813 social worker
