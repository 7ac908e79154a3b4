"""The dbt project's own checks: its unit tests (weekly upsert, ZIP allocation) pass, generic
tests catch bad data, and `dbt docs generate` works offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from fixtures import scenario

from careatlas.transform import dbt_runner, export, inputs, run_inputs
from careatlas.transform.build import BuildFailed


@pytest.fixture
def dbt(baseline_copy):
    config = dbt_runner.DbtConfig.from_settings(baseline_copy.settings, lake_is_s3=False)
    planned = inputs.plan(baseline_copy.lake, None, project_dir=config.project_dir)
    tables = run_inputs.rows(planned, baseline_copy.lake, "dbt-checks")

    def run(*args: str) -> dbt_runner.DbtResult:
        return dbt_runner.invoke(config, list(args), setup=lambda: run_inputs.write(config.warehouse_path, tables))

    run.config = config
    return run


def test_unit_tests_and_docs_generate(dbt) -> None:
    units = dbt("test", "--select", "test_type:unit")
    assert units.success, units.error or [n.message for n in units.with_status("fail", "error")]
    names = {n.name.split(".")[-1] for n in units.nodes if n.resource_type == "unit_test"}
    assert names == {"weekly_upsert_writes_only_newer_records", "baseline_keeps_latest_record_per_npi",
                     "zip_weights_rescale_and_fall_back", "zip_spanning_counties_splits_each_provider_once",
                     "all_locations_spreads_each_provider_in_equal_shares", "practitioners_needed_follow_hrsa",
                     "crosswalk_counties_land_on_the_demographic_vintage"}

    docs = dbt("docs", "generate")
    assert docs.success, docs.error
    catalog = json.loads((dbt.config.target_path / "catalog.json").read_text())
    access = catalog["nodes"]["model.careatlas.fct_county_access"]["columns"]
    assert "people_per_primary_care_provider" in access
    assert (dbt.config.target_path / "index.html").is_file()


def test_custom_generic_tests_flag_bad_rows(dbt, baseline_copy) -> None:
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        con.execute("update marts.fct_county_access set dentists = -1 where county_fips = ?", [scenario.CHITTENDEN])
        con.execute("update marts.fct_county_access set county_fips = 'VT-07' where county_fips = ?",
                    [scenario.ADDISON])
        con.execute("update intermediate.int_county_specialties_summed set providers = -1 where county_fips = ?",
                    [scenario.CARROLL])
        con.execute("update marts.dim_counties set poverty_rate_pct = 120 where county_fips = ?", [scenario.BELKNAP])
        # the two best-ranked counties swapped: rank 1 now has the lower score
        con.execute("update marts.fct_underserved_counties set underserved_rank = 3 - underserved_rank "
                    "where underserved_rank in (1, 2)")
        # a provider counted twice
        con.execute("update marts.fct_providers_outside_counties set providers = 2 where location_class = 'foreign'")
        # a count below zero in a mart whose non-negative columns share one test
        con.execute("update marts.fct_county_location_allocation set providers_gaining_share = -1 "
                    "where county_fips = ?", [scenario.CHITTENDEN])
    result = dbt("test", "--select", "fct_county_access", "int_county_specialties_summed", "dim_counties",
                 "fct_underserved_counties", "fct_county_location_allocation")
    failed = {n.name for n in result.with_status("fail")}
    assert failed == {"fct_county_access_counts_non_negative",
                      "is_fips_code_fct_county_access_county_fips",
                      "non_negative_int_county_specialties_summed_providers",
                      # the kept sum no longer matches a fresh aggregation of the allocations
                      "county_specialty_sums_equal_a_fresh_aggregation",
                      "in_range_dim_counties_poverty_rate_pct__100__0",
                      "underserved_rank_follows_the_score",
                      # placed + outside is one more than the active individuals
                      "providers_are_conserved",
                      # the supply history's per-NPI snapshot no longer adds up to the kept sums
                      "county_supply_history_snapshot_matches_the_county_sums",
                      "fct_county_location_allocation_values_non_negative"}
    for name in ("fct_county_access_counts_non_negative", "fct_county_location_allocation_values_non_negative"):
        [counts] = [n for n in result.nodes if n.name == name]
        assert counts.failures == 1, name  # the one bad value, named by its column


def test_providers_are_conserved_sees_an_npi_wrong_anywhere_without_counting_them_all(dbt, baseline_copy) -> None:
    """providers_are_conserved checks the run's NPIs one by one and the rest of the allocation
    table by its total weight only: one NPI the run did not write ("dbt-checks" wrote none)
    with a wrong weight still fails it."""
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        [(npi,)] = con.execute("select min(npi) from intermediate.int_provider_locations_allocated "
                               "where applied_run_id != 'dbt-checks'").fetchall()
        con.execute("update intermediate.int_provider_locations_allocated "
                    "set allocation_weight = allocation_weight + 0.25 "
                    "where npi = ? and county_fips is not distinct from "
                    "(select min(county_fips) from intermediate.int_provider_locations_allocated where npi = ?)",
                    [npi, npi])
    result = dbt("test", "--select", "providers_are_conserved")
    [node] = [n for n in result.nodes if n.name == "providers_are_conserved"]
    assert node.status == "fail", node.message


def test_the_county_audit_sees_the_mart_drift_from_the_kept_sums(dbt, baseline_copy) -> None:
    """The incremental audit also holds the mart analysts read to the kept sums: one county
    specialty off by a provider there fails it, the kept sums and the allocations untouched."""
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        con.execute("update marts.fct_county_specialty_providers set providers = providers + 1 "
                    "where county_fips = ? and specialty_name = 'primary_care'", [scenario.CHITTENDEN])
    result = dbt("test", "--select", "county_specialty_sums_equal_a_fresh_aggregation")
    [node] = [n for n in result.nodes if n.name == "county_specialty_sums_equal_a_fresh_aggregation"]
    assert (node.status, node.failures) == ("fail", 1), node.message


def test_providers_are_conserved_checks_the_runs_npis_one_by_one(dbt, baseline_copy) -> None:
    """Two of the run's NPIs whose weights are off in opposite directions keep the total and
    still fail: the run's NPIs are checked exactly."""
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        npis = [npi for (npi,) in con.execute(
            "select npi from intermediate.int_provider_locations_allocated group by npi "
            "having count(*) = 1 order by npi limit 2").fetchall()]
        for table in ("int_providers_classified", "int_provider_locations_allocated"):
            con.execute(f"update intermediate.{table} set applied_run_id = 'dbt-checks' where npi in (?, ?)", npis)
    assert dbt("test", "--select", "providers_are_conserved").success  # the run's NPIs as written
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        for npi, change in zip(npis, (0.25, -0.25), strict=True):
            con.execute("update intermediate.int_provider_locations_allocated "
                        "set allocation_weight = allocation_weight + ? where npi = ?", [change, npi])
    result = dbt("test", "--select", "providers_are_conserved")
    [node] = [n for n in result.nodes if n.name == "providers_are_conserved"]
    assert node.status == "fail" and node.failures == 1, node.message


def test_supply_history_snapshot_grain_is_checked(dbt, baseline_copy) -> None:
    """A snapshot row doubled fails the grain test, which reads the NPIs the build replaced
    (all of them in this re-baseline) instead of grouping the whole snapshot every week."""
    name = "supply_history_snapshot_has_one_row_per_npi_discipline_county"
    assert dbt("test", "--select", name).success
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        con.execute("insert into intermediate.int_discipline_locations_snapshotted "
                    "select * from intermediate.int_discipline_locations_snapshotted order by npi limit 1")
    result = dbt("test", "--select", name)
    [node] = [n for n in result.nodes if n.name == name]
    assert node.status == "fail" and node.failures == 1, node.message


def test_share_tests_warn_on_a_few_rows_and_fail_on_many(dbt, baseline_copy) -> None:
    """failing_share: one county of five without poverty warns (20% > 1%, but fewer than 10
    counties); eleven active individuals of 58 whose taxonomy NUCC does not list fail the build
    (19% > 5%, at least 10)."""
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        con.execute("update intermediate.int_county_demographics set poverty_rate_pct = null where county_fips = ?",
                    [scenario.BELKNAP])
        # as this run ("dbt-checks") would have written them: the test reads the run's rows
        con.execute("update intermediate.int_providers_classified set applied_run_id = 'dbt-checks'")
        con.execute("update intermediate.int_providers_classified set taxonomy_classification = null "
                    "where npi in (select npi from intermediate.int_providers_classified "
                    "where is_active and is_individual order by npi limit 11)")
    result = dbt("test", "--select", "int_county_demographics", "int_providers_classified")
    status = {n.name: (n.status, n.failures) for n in result.nodes}
    # 20% of counties, reported at the error threshold (5) since too few fail to break the build
    assert status["int_county_demographics_poverty_rate_complete"] == ("warn", 5)
    assert status["int_county_demographics_median_income_complete"] == ("pass", 0)
    assert status["int_providers_classified_primary_taxonomy_in_nucc"] == ("fail", 19)


def test_mart_contracts_fail_the_build_naming_model_and_column(baseline_copy, tmp_path) -> None:
    """The marts' enforced contracts: a column whose type or name differs from the yml, or a
    null in a not_null column, fails the build; the stored results name the model and column."""
    project = tmp_path / "dbt"
    shutil.copytree(dbt_runner.DEFAULT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    marts = project / "models" / "marts"
    _replace(marts / "access" / "dim_specialties.yml", "name: specialty_name\n", "data_type: varchar",
             "data_type: integer")
    # one county of five has a psychiatrist: the others' people_per_psychiatrist is null
    _replace(marts / "access" / "fct_county_access.yml", "name: people_per_psychiatrist\n", "data_type: double",
             "data_type: double\n        constraints: [{type: not_null}]")
    _replace(marts / "access" / "fct_providers_outside_counties.yml", "columns:", "name: practice_country_code\n",
             "name: practice_country\n")

    with pytest.raises(BuildFailed) as failure:
        baseline_copy.build("contract-broken", project_dir=project)
    assert {"dim_specialties", "fct_county_access", "fct_providers_outside_counties"} <= set(
        failure.value.failed_models)
    stored = baseline_copy.lake.read_json(export.dbt_results_key("contract-broken"))
    messages = {r["unique_id"].split(".")[-1]: r["message"] or "" for r in stored["results"] if r["status"] == "error"}
    assert "specialty_name" in messages["dim_specialties"], messages["dim_specialties"]
    assert "data type mismatch" in messages["dim_specialties"]
    assert "NOT NULL constraint failed" in messages["fct_county_access"]
    assert ".people_per_psychiatrist" in messages["fct_county_access"]
    outside = messages["fct_providers_outside_counties"]
    assert "practice_country_code" in outside and "practice_country " in outside, outside


def _replace(path: Path, after: str, old: str, new: str) -> None:
    """Replace the first ``old`` that follows ``after`` in a file."""
    text = path.read_text()
    at = text.index(old, text.index(after))
    path.write_text(text[:at] + new + text[at + len(old):])
