"""A build whose dbt tests fail raises with the failing tests named, stores its dbt results,
and leaves `latest` on the previous run; a fixed release then builds and switches it."""

from __future__ import annotations

import pytest
from fixtures import scenario
from fixtures.small_lake import Provider, SmallLake

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
