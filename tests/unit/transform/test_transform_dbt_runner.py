"""dbt_runner's one use of dbt-duckdb internals: after an invocation the warehouse is closed, so
another process can open it (the export, the next worker). Fails loudly when an upgrade of
dbt-duckdb changes what release_database relies on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager

from careatlas.shared.settings import Settings
from careatlas.transform import dbt_runner

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
