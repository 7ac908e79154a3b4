"""One real dbt build of the hand-computable scenario lake per session; tests that change
the lake or the warehouse work on a copy of it (copying is much cheaper than building)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fixtures import scenario

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake
from careatlas.transform import export
from careatlas.transform.build import build_marts


@dataclass
class Built:
    root: Path
    settings: Settings
    lake: Lake
    result: dict[str, Any]

    @property
    def warehouse(self) -> Path:
        return self.settings.warehouse_path

    def build(self, run_id: str, **kwargs: Any) -> dict[str, Any]:
        self.result = build_marts(None, run_id, settings=self.settings, **kwargs)
        return self.result

    def mart(self, name: str) -> pl.DataFrame:
        """A mart as the product serves it: the Parquet `latest` points at."""
        pointer = export.read_latest(self.lake)
        assert pointer is not None, "no latest pointer"
        return pl.read_parquet(self.lake.uri(pointer["marts"][name]))


def open_built(root: Path) -> Built:
    settings = Settings(lake=str(root / "lake"), warehouse_path=root / "warehouse.duckdb")
    return Built(root, settings, Lake(settings.lake, settings), {})


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Built:
    built = open_built(tmp_path_factory.mktemp("scenario"))
    scenario.write_baseline(built.lake)
    built.build("baseline")
    return built


@pytest.fixture
def baseline_copy(baseline: Built, tmp_path: Path) -> Built:
    """The built baseline (lake, warehouse, dbt target) copied, free to change."""
    shutil.copytree(baseline.root, tmp_path / "copy")
    copy = open_built(tmp_path / "copy")
    copy.result = dict(baseline.result)
    return copy



@pytest.fixture(scope="session")
def offline(baseline: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The built baseline rebuilt on the offline demographics (scenario.write_offline)."""
    root = tmp_path_factory.mktemp("offline")
    shutil.copytree(baseline.root, root / "copy")
    built = open_built(root / "copy")
    scenario.write_offline(built.lake)
    built.build("offline")
    return built
