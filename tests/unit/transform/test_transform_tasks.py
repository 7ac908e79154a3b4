"""The Celery task is a thin wrapper; the runner serialises dbt and keeps secrets out of sight."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from careatlas.runs import guard
from careatlas.shared.settings import Settings
from careatlas.transform import dbt_runner, tasks
from careatlas.transform.build import BuildFailed, build_args
from careatlas.transform.dbt_runner import DbtConfig, NodeResult


def node(name: str, resource_type: str = "test", status: str = "fail") -> NodeResult:
    return NodeResult(f"{resource_type}.careatlas.{name}", resource_type, status, 1, None, 0.1)


def test_task_passes_its_arguments_to_build_marts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(tasks, "_build_marts", lambda *args, **kwargs: calls.append((args, kwargs)) or {"ok": 1})
    assert tasks.build_marts.run(run_id="r-1", lake="s3://lake/x", acs_year=2022, full_refresh=True) == {"ok": 1}
    # the run guard's check goes with it: a cancelled run's build never switches ``latest``
    assert calls == [(("s3://lake/x", "r-1"), {"acs_year": 2022, "full_refresh": True,
                                               "before_publish": guard.still_live})]


def test_task_fails_naming_the_failing_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_args, **_kwargs):
        raise BuildFailed("r-2", [node("npi_check_digit_stg_nppes__providers_npi"), node("fct_x", "model", "error")])

    monkeypatch.setattr(tasks, "_build_marts", failing)
    with pytest.raises(BuildFailed, match="failing tests: npi_check_digit_stg_nppes__providers_npi; "
                                          "failing models: fct_x"):
        tasks.build_marts.run(run_id="r-2")


def test_task_is_registered_on_the_transform_queue() -> None:
    from careatlas.transform import worker

    assert "transform.build_marts" in worker.app.tasks
    assert worker.app.amqp.router.route({}, "transform.build_marts")["queue"].name == "transform"


@pytest.mark.parametrize(
    ("rebaseline", "unchanged", "present", "absent"),
    [
        # a full build computes the kept sums and a fresh aggregation alike: no audit
        (True, False, ["--full-refresh", "--exclude", "tag:incremental_audit"],
         ["tag:full_release", "tag:reference", "tag:spatial"]),
        # weekly builds keep the monthly spatial index (docs/spatial-access.md)
        (False, True, ["--exclude", "tag:full_release", "tag:reference", "tag:spatial"], ["--full-refresh"]),
        (False, False, ["--exclude", "tag:full_release", "tag:spatial"], ["--full-refresh", "tag:reference"]),
    ],
)
def test_build_arguments(rebaseline: bool, unchanged: bool, present: list[str], absent: list[str]) -> None:
    args = build_args(rebaseline, unchanged)
    assert args[0] == "build" and "--vars" not in args  # run inputs live in the warehouse
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert all(a in args for a in present) and not any(a in args for a in absent)


def test_second_writer_on_the_same_warehouse_is_refused(tmp_path: Path) -> None:
    config = DbtConfig.from_settings(Settings(), lake_is_s3=False, warehouse_path=tmp_path / "w.duckdb")
    with open(tmp_path / "w.duckdb.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another worker process would
        with pytest.raises(dbt_runner.WarehouseBusy, match="w.duckdb"):
            dbt_runner.invoke(config, ["parse"])


def test_s3_profile_environment_and_secrets(tmp_path: Path) -> None:
    settings = Settings(s3_endpoint_url="http://127.0.0.1:9000/", s3_access_key_id="AKIDEXAMPLE",
                        s3_secret_access_key="very-secret-value")
    config = DbtConfig.from_settings(settings, lake_is_s3=True, warehouse_path=tmp_path / "w.duckdb")
    assert config.target == "s3"
    assert config.env["CAREATLAS_S3_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert config.env["CAREATLAS_S3_SECRET_ACCESS_KEY"] == "very-secret-value"
    assert "very-secret-value" not in repr(config)
