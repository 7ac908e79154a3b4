"""A command's options become the process's settings without writing the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from careatlas.cli.bootstrap import configure
from careatlas.shared.settings import get_settings

DEFAULT_WAREHOUSE = Path(".careatlas/warehouse.duckdb")


@pytest.fixture(autouse=True)
def _no_warehouse_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREATLAS_WAREHOUSE_PATH", raising=False)


def test_options_win_over_the_environment_and_leave_it_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "env-lake"))
    monkeypatch.setenv("CAREATLAS_REFERENCE_DIR", str(tmp_path / "env-reference"))
    settings = configure(lake=str(tmp_path / "lake"), reference=tmp_path / "reference")
    assert (settings.lake, settings.reference_dir) == (str(tmp_path / "lake"), tmp_path / "reference")
    assert get_settings() == settings
    assert os.environ["CAREATLAS_LAKE"] == str(tmp_path / "env-lake")
    assert os.environ["CAREATLAS_REFERENCE_DIR"] == str(tmp_path / "env-reference")


def test_a_command_without_options_reads_the_environment_again(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "env-lake"))
    monkeypatch.delenv("CAREATLAS_REFERENCE_DIR", raising=False)
    configure(lake=str(tmp_path / "lake"), reference=tmp_path)
    settings = configure()
    assert settings.lake == str(tmp_path / "env-lake") and settings.reference_dir is None
    assert get_settings().lake == str(tmp_path / "env-lake")


def test_a_local_lake_keeps_its_warehouse_inside_it(tmp_path: Path) -> None:
    settings = configure(lake=str(tmp_path / "lake"), warehouse_in_lake=True)
    assert settings.warehouse_path == tmp_path / "lake" / "_warehouse" / "careatlas.duckdb"
    assert get_settings().warehouse_path == settings.warehouse_path
    assert "CAREATLAS_WAREHOUSE_PATH" not in os.environ


def test_the_lake_from_the_environment_keeps_its_warehouse_too(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "env-lake"))
    assert configure(warehouse_in_lake=True).warehouse_path == tmp_path / "env-lake" / "_warehouse" / "careatlas.duckdb"


def test_a_set_warehouse_path_wins_over_the_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_WAREHOUSE_PATH", str(tmp_path / "chosen.duckdb"))
    assert configure(lake=str(tmp_path / "lake"), warehouse_in_lake=True).warehouse_path == tmp_path / "chosen.duckdb"


def test_an_s3_lake_keeps_the_default_warehouse() -> None:
    assert configure(lake="s3://bucket/prefix", warehouse_in_lake=True).warehouse_path == DEFAULT_WAREHOUSE


def test_without_warehouse_in_lake_the_default_warehouse_stays(tmp_path: Path) -> None:
    assert configure(lake=str(tmp_path / "lake")).warehouse_path == DEFAULT_WAREHOUSE
