from __future__ import annotations

import io

import polars as pl
import pytest
import report_marts

from careatlas.report.data import MART_COLUMNS, ReportError, RunNotFound, dbt_test_counts, load_marts
from careatlas.runs import model
from careatlas.shared import layout
from careatlas.shared.storage import Lake


def test_latest_reads_the_run_the_pointer_names(lake: Lake) -> None:
    report_marts.publish(lake, "run-old")
    pointer = report_marts.publish(lake, "run-new")

    marts = load_marts(lake)

    assert (marts.run_id, marts.is_latest, marts.pointer) == ("run-new", True, pointer)
    expected = report_marts.county_access().select(MART_COLUMNS["fct_county_access"])
    assert marts["fct_county_access"].equals(expected)
    assert set(marts.frames) == set(MART_COLUMNS)


def test_only_the_documented_columns_are_kept(lake: Lake) -> None:
    report_marts.publish(lake, "run-1")
    marts = load_marts(lake, "latest")
    for name, columns in MART_COLUMNS.items():
        assert marts[name].columns == list(columns)
    assert "poverty_rate_pct" not in marts["fct_county_access"].columns  # written, not read


def test_an_explicit_run_that_is_latest_uses_the_pointer(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-7")
    assert load_marts(lake, "run-7").pointer == pointer


def test_an_older_run_is_read_from_its_prefix_and_run_files(lake: Lake) -> None:
    report_marts.publish(lake, "run-old")
    report_marts.publish(lake, "run-new")
    summary = {"marts": {"fct_county_access": 7}, "tests": {"pass": 40}, "warnings": [],
               "inputs": {"acs_year": 2022, "nppes_full": {"release": "2024-12-08", "version": "v1", "rows": 5}}}
    model.save_manifest(lake, model.RunManifest(
        run_id="run-old", status="succeeded", release="2024-12-08", kind="full", dataset="npidata",
        raw_key="raw/nppes/release=2024-12-08/npidata.csv", raw_sha256="a" * 64, raw_bytes=10, result=summary))

    marts = load_marts(lake, "run-old")

    assert (marts.run_id, marts.is_latest) == ("run-old", False)
    assert marts.pointer["inputs"]["acs_year"] == 2022
    assert marts.pointer["tests"] == {"pass": 40}
    assert marts.pointer["marts"]["fct_underserved_counties"] == "marts/run=run-old/fct_underserved_counties.parquet"
    assert marts.pointer["dbt_run_results"] == "runs/run-old/dbt/run_results.json"


def test_an_older_run_without_a_manifest_counts_tests_and_rows_itself(lake: Lake) -> None:
    report_marts.publish(lake, "run-old")
    report_marts.publish(lake, "run-new")

    marts = load_marts(lake, "run-old")

    assert marts.pointer["tests"] == {"pass": 2, "warn": 1}
    assert marts.pointer["rows"]["fct_county_access"] == len(report_marts.COUNTIES)


def test_no_published_marts_is_a_clear_not_found(lake: Lake) -> None:
    with pytest.raises(RunNotFound, match="marts/latest.json is missing"):
        load_marts(lake)


def test_an_unknown_run_is_not_found(lake: Lake) -> None:
    report_marts.publish(lake, "run-1")
    with pytest.raises(RunNotFound, match="run nope has no marts in .*marts/run=nope"):
        load_marts(lake, "nope")


def test_a_run_id_with_a_path_in_it_is_refused(lake: Lake) -> None:
    with pytest.raises(ValueError, match="run id must match"):
        load_marts(lake, "../secrets")


def test_a_missing_column_is_named_with_its_file(lake: Lake) -> None:
    frames = report_marts.all_marts()
    frames["fct_county_access"] = frames["fct_county_access"].drop("people_per_primary_care_provider")
    report_marts.publish(lake, "run-1", frames)
    with pytest.raises(ReportError, match=r"fct_county_access \(.*run=run-1/fct_county_access.parquet\) lacks "
                                          r"column\(s\) people_per_primary_care_provider"):
        load_marts(lake)


def test_a_mart_missing_from_the_pointer_is_named(lake: Lake) -> None:
    frames = report_marts.all_marts()
    del frames["fct_specialty_gaps"]
    report_marts.publish(lake, "run-1", frames)
    with pytest.raises(ReportError, match="run run-1 published no mart fct_specialty_gaps"):
        load_marts(lake)


def test_a_deleted_mart_file_is_named(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")
    lake.delete([pointer["marts"]["fct_underserved_counties"]])
    with pytest.raises(ReportError, match="mart fct_underserved_counties of run run-1 is missing: .*lake/marts"):
        load_marts(lake)


def test_a_file_that_is_not_parquet_is_named(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")
    lake.put_bytes(pointer["marts"]["fct_state_provider_density"], b"not parquet at all")
    with pytest.raises(ReportError, match="mart fct_state_provider_density is not readable Parquet: .*lake/marts"):
        load_marts(lake)


@pytest.mark.integration
def test_marts_are_read_from_s3_too(s3_env: dict[str, str]) -> None:
    from careatlas.shared.storage import open_lake

    s3 = open_lake(s3_env["CAREATLAS_LAKE"])
    report_marts.publish(s3, "run-s3")
    marts = load_marts(s3)
    frame = pl.read_parquet(io.BytesIO(s3.read_bytes(layout.marts_run("run-s3") + "/fct_county_access.parquet")))
    assert marts["fct_county_access"]["county_fips"].to_list() == frame["county_fips"].to_list()


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([("test.a", "pass"), ("test.b", "pass"), ("model.c", "success")], {"pass": 2}),
        ([("test.a", "fail"), ("unit_test.b", "pass"), ("seed.c", "success")], {"fail": 1, "pass": 1}),
        ([], {}),
    ],
)
def test_dbt_test_counts(statuses, expected) -> None:
    results = {"results": [{"unique_id": uid, "status": status} for uid, status in statuses]}
    assert dbt_test_counts(results) == expected
