"""``careatlas reference load`` in-process: output, exit codes and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared.settings import get_settings


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "default-lake"))
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")

    def invoke(*args: str):
        get_settings.cache_clear()
        result = CliRunner().invoke(app, list(args))
        result.error_text = " ".join(result.stderr.split())  # rich wraps long lines
        return result

    yield invoke
    get_settings.cache_clear()


def test_load_prints_json_and_lands_in_the_lake(run, tmp_path: Path, hud_xlsx: Path) -> None:
    lake = tmp_path / "lake"
    result = run("reference", "load", "hud", str(hud_xlsx), "--lake", str(lake), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["key"] == "geographic/hud_zip_county/vintage=2022Q4/data.parquet" and data["rows"] == 4
    assert (lake / data["key"]).is_file() and (lake / data["key"]).with_name("metadata.json").is_file()


def test_label_options_override_the_file_name(run, tmp_path: Path, nucc_csv: Path) -> None:
    result = run("reference", "load", "nucc", str(nucc_csv), "--version", "25.2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["key"] == "reference/nucc_taxonomy/version=25.2/data.parquet"
    assert (tmp_path / "default-lake" / "reference/nucc_taxonomy/version=25.2/data.parquet").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nucc", "HUD"], 1, "is not a NUCC taxonomy file: header differs"),
        (["nucc", "MISSING"], 3, "missing.csv does not exist"),
        (["cms", "MISSING"], 2, "'cms' is not one of"),
        (["hud", "HUD", "--vintage", "2023-03"], 1, "HUD vintage '2023-03' does not look right"),
    ],
)
def test_failures_exit_with_the_documented_code(
    run, tmp_path: Path, hud_xlsx: Path, args: list[str], code: int, message: str
) -> None:
    paths = {"HUD": str(hud_xlsx), "MISSING": str(tmp_path / "missing.csv")}
    result = run("reference", "load", *[paths.get(a, a) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.error_text
