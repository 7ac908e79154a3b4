"""dbt docs generate through the transform's runner: real dbt on the project in dbt/."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from careatlas.report import lineage
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


def test_docs_dir_sits_beside_the_report() -> None:
    assert lineage.docs_dir_for(Path("/out/analyst.html")) == Path("/out/analyst-dbt-docs")


def test_docs_are_generated_and_published_without_a_warehouse(lake: Lake, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    out = tmp_path / "out" / "report-dbt-docs"
    out.mkdir(parents=True)
    (out / "stale.json").write_text("{}")  # an earlier generation's leftovers go with it

    index = lineage.publish_dbt_docs(lake, out, Settings(warehouse_path=warehouse))

    assert index == out / "index.html"
    assert sorted(p.name for p in out.iterdir()) == ["catalog.json", "index.html", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    county = manifest["nodes"]["model.careatlas.fct_county_access"]
    assert "model.careatlas.dim_counties" in county["depends_on"]["nodes"]  # lineage is there
    assert json.loads((out / "catalog.json").read_text())["nodes"] == {}  # no warehouse: empty catalog
    assert not warehouse.exists()  # and none was created for it
    assert "fct_underserved_counties" in index.read_text()  # the static page inlines the manifest


def test_a_busy_warehouse_is_reported_not_waited_for(lake: Lake, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.touch()
    with open(tmp_path / "warehouse.duckdb.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        with pytest.raises(lineage.LineageUnavailable, match="another process is running dbt on .*try again"):
            lineage.publish_dbt_docs(lake, tmp_path / "docs", Settings(warehouse_path=warehouse))


def test_missing_outputs_are_named(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text("{}")
    with pytest.raises(lineage.LineageUnavailable, match="wrote no static_index.html, catalog.json"):
        lineage._publish(tmp_path / "target", tmp_path / "docs")
    assert not (tmp_path / "docs").exists()
