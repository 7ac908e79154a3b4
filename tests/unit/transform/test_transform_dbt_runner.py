"""dbt_runner's one use of dbt-duckdb internals: after an invocation the warehouse is closed, so
another process can open it (the export, the next worker). Fails loudly when an upgrade of
dbt-duckdb changes what release_database relies on. And the parse a process keeps: shared by
warehouses, redone when a project file changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager

from careatlas.shared.settings import Settings
from careatlas.transform import dbt_runner
from careatlas.transform.dbt_runner import DbtConfig

OPEN_READ_WRITE = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('select 1')"


def test_after_an_invocation_another_process_can_open_the_warehouse(tmp_path: Path) -> None:
    settings = Settings(lake=str(tmp_path / "lake"), warehouse_path=tmp_path / "warehouse.duckdb")
    config = dbt_runner.DbtConfig.from_settings(settings, lake_is_s3=False)
    result = dbt_runner.invoke(config, ["seed", "--select", "access_disciplines"])  # through dbt-duckdb
    assert result.success, result.error
    assert config.warehouse_path.is_file()
    opened = subprocess.run([sys.executable, "-c", OPEN_READ_WRITE, str(config.warehouse_path)],
                            capture_output=True, text=True)
    assert opened.returncode == 0, opened.stderr  # a lock still held would say "Could not set lock"


def test_missing_internals_are_named_not_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(DuckDBConnectionManager, "_ENV")
    with pytest.raises(dbt_runner.DbtDuckdbChanged, match="release_database must be adapted"):
        dbt_runner.release_database()


def _probe_config(tmp_path: Path, folder: str, project: Path) -> DbtConfig:
    return DbtConfig.from_settings(Settings(), lake_is_s3=False, project_dir=project,
                                   warehouse_path=tmp_path / folder / "warehouse.duckdb")


def _probe_value(config: DbtConfig) -> int:
    import duckdb

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute("select x from main.zz_probe").fetchone()[0]


def test_the_parse_is_shared_by_warehouses_and_redone_when_the_project_changes(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(dbt_runner.DEFAULT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    probe = project / "models" / "zz_probe.sql"
    probe.write_text("select 1 as x")
    first, second = _probe_config(tmp_path, "a", project), _probe_config(tmp_path, "b", project)
    assert dbt_runner.invoke(first, ["run", "--select", "zz_probe"]).success
    assert (first.target_path / "partial_parse.msgpack").is_file()  # parsed there
    assert dbt_runner.invoke(second, ["run", "--select", "zz_probe"]).success
    assert not (second.target_path / "partial_parse.msgpack").exists()  # not parsed again
    assert _probe_value(second) == 1
    probe.write_text("select 2 as x")
    assert dbt_runner.invoke(second, ["run", "--select", "zz_probe"]).success
    assert _probe_value(second) == 2  # the edited model, not the manifest parsed before the edit
    assert dbt_runner.invoke(first, ["run", "--select", "zz_probe"]).success
    assert _probe_value(first) == 2
