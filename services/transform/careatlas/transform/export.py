"""Marts out of the warehouse into the lake, and the ``latest`` pointer that makes them visible.

Each run writes its own prefix (``marts/run=<id>/<mart>.parquet``): S3 has no rename, and an
overwrite in place would leave readers a mix of two runs. ``marts/latest.json`` is switched in
one PUT only after the build, its tests and the export all succeeded, so readers see the
previous run or the whole new one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from careatlas.shared import catalog, layout
from careatlas.shared.documents import LatestPointer
from careatlas.shared.storage import Lake
from careatlas.transform.dbt_runner import DbtResult

log = structlog.get_logger(__name__)

MARTS_SCHEMA = "marts"


def dbt_results_key(run_id: str) -> str:
    """dbt's run_results.json of a run, kept beside the run's manifest."""
    return layout.run_dbt_results(run_id)


def store_run_results(lake: Lake, run_id: str, result: DbtResult) -> str:
    """Keep dbt's results with the run, failed runs included (that is when they matter)."""
    key = dbt_results_key(run_id)
    lake.write_json(key, result.run_results or {"error": result.error, "nodes": []})
    return key


def export_marts(lake: Lake, run_id: str, warehouse: Path) -> dict[str, dict[str, Any]]:
    """Every table of the marts schema -> ``<marts_run>/<name>.parquet``; {name: {key, rows}}."""
    import duckdb

    exported: dict[str, dict[str, Any]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [MARTS_SCHEMA],
        ).fetchall()]
        for name in names:
            key = layout.mart_file(run_id, name)
            with lake.staged_file(key, suffix=".parquet") as path:
                # sorted: the same inputs give the same files (tables keep no row order)
                con.execute(
                    f'copy (select * from "{MARTS_SCHEMA}"."{name}" order by all) '
                    f"to {_sql_string(str(path))} (format parquet, compression zstd)"
                )
            rows = con.execute(f'select count(*) from "{MARTS_SCHEMA}"."{name}"').fetchone()
            exported[name] = {"key": key, "rows": int(rows[0]) if rows else 0}
    log.info("marts exported", run_id=run_id, marts=len(exported), prefix=layout.marts_run(run_id))
    return exported


def npis_changed(warehouse: Path, run_id: str) -> int:
    """NPIs whose current record this run wrote (all of them on a re-baseline)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select count(*) from intermediate.int_providers_merged where applied_run_id = ?", [run_id]
        ).fetchone()
    return int(row[0]) if row else 0


def switch_latest(lake: Lake, pointer: dict[str, Any]) -> None:
    lake.write_model(layout.marts_latest(), LatestPointer.model_validate(pointer))
    log.info("marts latest switched", run_id=pointer["run_id"])


def latest_pointer(
    run_id: str,
    marts: dict[str, dict[str, Any]],
    result: DbtResult,
    inputs: dict[str, Any],
    results_key: str,
) -> dict[str, Any]:
    return LatestPointer(
        run_id=run_id,
        built_at=datetime.now(UTC).isoformat(),
        marts={name: mart["key"] for name, mart in marts.items()},
        rows={name: mart["rows"] for name, mart in marts.items()},
        tests=result.test_summary(),
        warnings=sorted(n.name for n in result.with_status("warn")),
        dbt_run_results=results_key,
        inputs=inputs,
    ).as_dict()


read_latest = catalog.read_latest


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
