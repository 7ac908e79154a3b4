"""``careatlas transform``: a user without Redis ingests a full release and its weeklies with
``careatlas ingest``, then builds the marts; reference data the lake lacks comes from
data/reference. Exit codes as the other commands: 0 ok, 1 failed, 2 usage, 3 not found, 4
unreachable."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from support import real_rows
from support.stack import free_port
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared.reference_folder import VENDORED_DIR
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.e2e
RELEASE = date(2025, 4, 6)
OFFLINE_KINDS = {"nucc", "hud", "pep_population", "pep_agesex", "saipe"}


def cli(*args: str):
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    get_settings.cache_clear()
    return result


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture(autouse=True)
def _no_reference_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the vendored extracts only, whatever sits beside the checkout: a folder with none of the files
    empty = tmp_path / "no-reference"
    empty.mkdir()
    monkeypatch.setenv("CAREATLAS_REFERENCE_DIR", str(empty))
    monkeypatch.delenv("CAREATLAS_CENSUS_API_KEY", raising=False)
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A full release and a weekly delta of it, drawn from the vendored ZIPs and taxonomy."""
    from careatlas.synth.nppes import generate_file
    from careatlas.synth.weekly import generate_weekly

    folder = tmp_path_factory.mktemp("nppes")
    full = generate_file(folder / f"npidata_pfile_20050523-{RELEASE:%Y%m%d}.csv", rows=1500, seed=5,
                         reference_dir=VENDORED_DIR, release=RELEASE).path
    weekly = generate_weekly(full, folder, seed=6, release=date(2025, 4, 13), reference_dir=VENDORED_DIR).path
    return {"full": Path(full), "weekly": Path(weekly)}


@pytest.fixture
def ingested(files: dict[str, Path], tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    result = cli("ingest", str(files["full"]), "--lake", str(lake), "--kind", "full", "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    return lake


def test_a_full_release_then_a_weekly_without_redis(ingested: Path, files: dict[str, Path]) -> None:
    first = cli("transform", "--lake", str(ingested), "--json")
    assert first.exit_code == 0, first.output
    built = json.loads(first.stdout)
    assert {r["kind"] for r in built["references_loaded"]} == OFFLINE_KINDS
    assert all(r["source"].startswith(str(VENDORED_DIR)) for r in built["references_loaded"])
    assert built["rebaseline"] and built["marts"]["fct_county_access"] > 3000
    assert (ingested / "_warehouse" / "careatlas.duckdb").is_file()  # the lake keeps its warehouse
    # HUD 2023Q1 (Connecticut's 8 old counties) against PEP V2024 (its 9 planning regions), nationally
    counties = real_rows.assert_geography_reconciled(Lake(str(ingested), get_settings()),
                                                     harmonised={f"09{n}" for n in range(110, 191, 10)})
    assert counties == built["marts"]["fct_county_access"]

    weekly = cli("ingest", str(files["weekly"]), "--lake", str(ingested), "--kind", "weekly", "--workers", "1")
    assert weekly.exit_code == 0, weekly.output
    second = cli("transform", "--lake", str(ingested), "--json")
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert again["references_loaded"] == [] and not again["rebaseline"] and again["npis_changed"] > 0
    assert [w["release"] for w in again["inputs"]["nppes_weekly"]] == ["2025-04-13"]
    latest = json.loads((ingested / "marts" / "latest.json").read_text())
    assert latest["run_id"] == again["run_id"]


def test_missing_lake_or_release_is_not_found(tmp_path: Path) -> None:
    result = cli("transform", "--lake", str(tmp_path / "nowhere"))
    assert result.exit_code == 3 and "does not exist" in said(result)
    (tmp_path / "empty").mkdir()
    result = cli("transform", "--lake", str(tmp_path / "empty"))
    assert result.exit_code == 3 and "no published NPPES full release" in said(result)
    assert not (tmp_path / "empty" / "reference").exists()  # nothing loaded into a lake with nothing to build


def test_usage_errors(ingested: Path) -> None:
    assert cli("transform", "--lake", str(ingested), "--acs-year", "1990").exit_code == 2
    assert cli("transform", "--lake", str(ingested), "--acs-year", "twenty").exit_code == 2
    assert cli("transform", "--lake", str(ingested), "--no-such-option").exit_code == 2


def test_an_acs_vintage_that_is_not_cached_and_cannot_be_fetched(ingested: Path) -> None:
    result = cli("transform", "--lake", str(ingested), "--acs-year", "2022")
    assert result.exit_code == 3 and "CAREATLAS_CENSUS_API_KEY is unset" in said(result)


def test_a_bad_reference_file_fails_naming_it(ingested: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "nucc_taxonomy_251.csv").write_text("ZIP,COUNTY\n02115,25025\n")
    result = cli("transform", "--lake", str(ingested), "--reference", str(folder))
    assert result.exit_code == 1 and "nucc_taxonomy_251.csv is not a NUCC taxonomy file" in said(result)


def test_an_unreachable_lake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CAREATLAS_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("CAREATLAS_S3_SECRET_ACCESS_KEY", "testing-secret")
    result = cli("transform", "--lake", "s3://nowhere/lake")
    assert result.exit_code == 4, result.output
    assert "testing-secret" not in said(result) and os.environ["CAREATLAS_S3_SECRET_ACCESS_KEY"]
