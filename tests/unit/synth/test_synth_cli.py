from __future__ import annotations

import json
import zipfile

import pytest
import structlog
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")
    monkeypatch.delenv("CAREATLAS_REFERENCE_DIR", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    structlog.reset_defaults()  # the command logged to CliRunner's stderr, which is closed now


def _invoke(*args: str):
    return CliRunner().invoke(app, ["nppes", "generate", *args])


def test_generate_prints_a_json_summary(tmp_path) -> None:
    result = _invoke("--rows", "300", "--seed", "1", "--release", "2025-02-02", "--out", str(tmp_path),
                     "--deactivation-report", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    path = tmp_path / "npidata_pfile_20050523-20250202.csv"
    assert summary["path"] == str(path) and summary["rows"] == 300
    assert summary["bytes"] == path.stat().st_size
    assert (tmp_path / "NPPES_Deactivated_NPI_Report_020225.xlsx").is_file()


def test_weekly_zip_from_a_generated_base(tmp_path) -> None:
    base = tmp_path / "base.csv"
    assert _invoke("--rows", "400", "--out", str(base), "--release", "2025-02-02").exit_code == 0
    result = _invoke("--kind", "weekly", "--base", str(base), "--zip", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["kind"] == "weekly" and summary["release"] == "2025-02-09"
    assert zipfile.ZipFile(summary["path"]).testzip() is None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--rows", "10", "--size", "1MB"], 2, "exactly one"),
        (["--size", "lots"], 2, "size"),
        (["--rows", "10", "--release", "04/06/2025"], 2, "YYYY-MM-DD"),
        (["--kind", "weekly"], 2, "--base"),
        (["--kind", "weekly", "--base", "/nonexistent/base.csv"], 3, "base file not found"),
        (["--rows", "10", "--reference", "/nonexistent/ref"], 3, "reference folder not found"),
    ],
)
def test_bad_options_fail_with_a_clear_message(tmp_path, args, code, message) -> None:
    result = _invoke(*args, "--out", str(tmp_path))
    assert result.exit_code == code
    assert message in result.output


def test_generate_with_a_county_supply_records_what_it_was_drawn_from(tmp_path) -> None:
    result = _invoke("--supply", "wy", "--rows", "400", "--seed", "2", "--out", str(tmp_path / "wy.csv"), "--json")
    assert result.exit_code == 0, result.output
    synthetic = json.loads(result.stdout)["synthetic"]
    assert synthetic["states"] == ["WY"] and synthetic["counties"] == 23 and synthetic["rows"] == 400
    assert synthetic["ahrf_year"] == 2021 and "AHRF" in synthetic["drawn_from"]["primary_care"]


def test_generate_names_an_unknown_supply_state(tmp_path) -> None:
    result = _invoke("--supply", "ZZ", "--rows", "10", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "unknown state code(s) ZZ" in " ".join(result.stderr.split())
