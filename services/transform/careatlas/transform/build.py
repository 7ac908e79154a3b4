"""One transform run: plan the inputs, ``dbt build``, export the marts, switch ``latest``.

Pure apart from the lake and the warehouse file: the Celery task and the embedded demo both
call ``build_marts``. A failed build (a model error or an error-severity test) raises
``BuildFailed`` naming what failed; its dbt results are stored with the run and ``latest``
keeps pointing at the previous run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import structlog

from careatlas.shared import layout
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake, open_lake
from careatlas.transform import dbt_runner, export, inputs, run_inputs, state
from careatlas.transform.dbt_runner import DbtResult, NodeResult

log = structlog.get_logger(__name__)


class BuildFailed(RuntimeError):
    """dbt build failed; ``failed_tests`` and ``failed_models`` name the culprits."""

    def __init__(self, run_id: str, failed: list[NodeResult], error: str | None = None) -> None:
        self.run_id = run_id
        self.failed_tests = sorted(n.name for n in failed if n.resource_type in ("test", "unit_test"))
        self.failed_models = sorted(n.name for n in failed if n.resource_type not in ("test", "unit_test"))
        parts = [f"dbt build of run {run_id} failed"]
        if self.failed_tests:
            parts.append("failing tests: " + ", ".join(self.failed_tests))
        if self.failed_models:
            parts.append("failing models: " + ", ".join(self.failed_models))
        if error and not failed:
            parts.append(log_setup.redact(error))
        super().__init__("; ".join(parts))


def build_marts(
    lake: str | None = None,
    run_id: str = "manual",
    *,
    acs_year: int | None = None,
    full_refresh: bool = False,
    settings: Settings | None = None,
    warehouse_path: Path | None = None,
    project_dir: Path | None = None,
    before_publish: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Build the marts of ``lake`` (default ``Settings().lake``) as run ``run_id``.
    ``before_publish`` runs right before ``latest`` switches and may raise to keep it (a cancel)."""
    layout.check_run_id(run_id)
    settings = settings or get_settings()
    the_lake = open_lake(lake, settings)
    config = dbt_runner.DbtConfig.from_settings(
        settings, lake_is_s3=the_lake.is_s3, warehouse_path=warehouse_path, project_dir=project_dir
    )
    with structlog.contextvars.bound_contextvars(run_id=run_id):
        return _build(the_lake, config, run_id, acs_year=acs_year, full_refresh=full_refresh,
                      before_publish=before_publish, location_allocation=settings.location_allocation)


def _build(
    lake: Lake, config: dbt_runner.DbtConfig, run_id: str, *, acs_year: int | None, full_refresh: bool,
    before_publish: Callable[[], None] | None = None, location_allocation: str = "primary",
) -> dict[str, Any]:
    timings: dict[str, float] = {}
    with _timed(timings, "plan_s"):
        applied = state.read_applied(config.warehouse_path, run_id)
        plan = inputs.plan(lake, applied, project_dir=config.project_dir, acs_year=acs_year,
                           full_refresh=full_refresh, location_allocation=location_allocation)
    result = _run_dbt(lake, config, run_id, plan)
    timings["dbt_s"] = result.elapsed_s
    with _timed(timings, "export_s"):
        marts = export.export_marts(lake, run_id, config.warehouse_path)
        pointer = export.latest_pointer(run_id, marts, result, plan.summary(), export.dbt_results_key(run_id))
        if before_publish is not None:
            before_publish()
        export.switch_latest(lake, pointer)
    return {
        "run_id": run_id,
        "rebaseline": plan.rebaseline,
        "npis_changed": export.npis_changed(config.warehouse_path, run_id),
        "marts": pointer["rows"],
        "tests": pointer["tests"],
        "warnings": pointer["warnings"],
        "inputs": pointer["inputs"],
        "timings_s": {name: round(seconds, 3) for name, seconds in timings.items()},
    }


def _run_dbt(lake: Lake, config: dbt_runner.DbtConfig, run_id: str, plan: inputs.BuildInputs) -> DbtResult:
    """``dbt build`` over the run's inputs; its results are stored with the run whatever the outcome."""
    tables = run_inputs.rows(plan, lake, run_id)
    result = dbt_runner.invoke(
        config, build_args(plan.rebaseline, plan.reference_unchanged),
        setup=lambda: run_inputs.write(config.warehouse_path, tables),
        on_success=lambda: state.record_completed(config.warehouse_path, tables["build"][0]),
    )
    export.store_run_results(lake, run_id, result)
    if not result.success:
        failed = result.with_status("error", "fail")
        log.warning("dbt build failed", failed=[n.name for n in failed])
        raise BuildFailed(run_id, failed, result.error)
    return result


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[name] = time.monotonic() - started


def build_args(rebaseline: bool, reference_unchanged: bool) -> list[str]:
    """``dbt build`` arguments. Unit tests run in CI (tests/unit/transform), not in every
    production build. A re-baseline rebuilds the per-NPI tables from scratch; a weekly build
    with the same reference data skips the nodes that only read it (tag reference): they and
    their tests would produce and check exactly what the last completed build did. The
    incremental-equals-full tests (tag incremental_audit) compare the kept sums with a fresh
    aggregation: a re-baseline computes both alike, so only weekly builds run them. The spatial
    access models (tag spatial) run on re-baselines only. No JSON
    artifacts: dbt would write its ~10 MB manifest twice per build; the runner writes
    run_results.json from the invocation's result."""
    args = ["build", "--exclude-resource-type", "unit_test", "--quiet", "--no-write-json"]
    if rebaseline:
        return [*args, "--full-refresh", "--exclude", "tag:incremental_audit"]
    # the baseline full release is read for its columns only: nothing of it to reconcile
    # the spatial index is recomputed monthly: its E2SFCA step would cost a weekly build several times
    # what the delta does (docs/spatial-access.md)
    return [*args, "--exclude", "tag:full_release", "tag:spatial", *(["tag:reference"] if reference_unchanged else [])]
