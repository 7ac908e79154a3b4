"""``careatlas ingest FILE [--kind full|weekly]`` in-process: the CMS name says the kind, an explicit
kind the name contradicts is refused before anything is landed (exit 2)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from support import nppes_rows
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared import catalog
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

FULL_NAME = "npidata_pfile_20050523-20250406.csv"
WEEKLY_NAME = "npidata_pfile_20250407-20250413.csv"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")

    def invoke(*args: str):
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["ingest", *args, "--workers", "1"])
        result.error_text = "".join(result.stderr.split())  # rich wraps long lines, even inside a path
        return result

    yield invoke
    get_settings.cache_clear()


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"), Settings())


def _file(folder: Path, name: str, rows: int = 5) -> Path:
    return nppes_rows.write(folder / name, nppes_rows.many(rows))


def _zip(folder: Path, name: str, member: str) -> Path:
    with zipfile.ZipFile(folder / name, "w") as archive:
        archive.write(_file(folder, member), member)
        archive.writestr("npidata_pfile_20250407-20250413_fileheader.csv", "x")
    return folder / name


@pytest.mark.parametrize(("name", "member"), [
    (WEEKLY_NAME, None),
    (WEEKLY_NAME + ".gz", None),
    ("NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip", WEEKLY_NAME),
])
def test_a_weekly_named_as_cms_names_it_is_recognised(run, lake: Lake, tmp_path: Path, name: str, member) -> None:
    if member:
        source = _zip(tmp_path, name, member)
    elif name.endswith(".gz"):
        import gzip

        source = tmp_path / name
        source.write_bytes(gzip.compress(_file(tmp_path, WEEKLY_NAME).read_bytes()))
    else:
        source = _file(tmp_path, name)
    result = run(str(source), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["dataset"], summary["release"]) == ("weekly", "npidata_weekly", "2025-04-13")
    assert catalog.list_published(lake, "npidata") == []
    assert [r.release for r in catalog.list_published(lake, "npidata_weekly")] == ["2025-04-13"]
    assert run(str(source), "--kind", "weekly", "--json").exit_code == 0  # the same kind, said explicitly


def test_the_kind_of_an_unnamed_file_is_the_users(run, lake: Lake, tmp_path: Path) -> None:
    source = _file(tmp_path, "providers.csv")
    result = run(str(source), "--kind", "weekly", "--release", "2025-01-31", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dataset"] == "npidata_weekly"
    result = run(str(source), "--release", "2025-01-31", "--json")  # no kind in the name: a full release
    assert result.exit_code == 0, result.output
    assert [r.kind for r in catalog.list_published(lake, "npidata")] == ["full"]


@pytest.mark.parametrize(("name", "member", "kind", "message"), [
    (WEEKLY_NAME, None, "full", "is a weekly delta by its CMS name, not a full release"),
    ("NPPES_Data_Dissemination_040725_041325_Weekly.zip", WEEKLY_NAME, "full", "is a weekly delta by its CMS name"),
    (FULL_NAME, None, "weekly", "is a monthly full file by its CMS name"),
    ("NPPES_Data_Dissemination_April_2025.zip", FULL_NAME, "weekly", "is a monthly full file by its CMS name"),
    ("data.zip", FULL_NAME, "weekly", "is a monthly full file"),  # the member's name tells
])
def test_a_kind_the_name_contradicts_is_refused(
    run, lake: Lake, tmp_path: Path, name: str, member, kind: str, message: str
) -> None:
    source = _zip(tmp_path, name, member) if member else _file(tmp_path, name)
    result = run(str(source), "--kind", kind)
    assert result.exit_code == 2, result.output
    assert "".join(message.split()) in result.error_text and name in result.error_text
    assert lake.list() == []  # refused before landing: nothing to clean up


def test_an_unknown_kind_is_a_usage_error(run, tmp_path: Path) -> None:
    result = run(str(_file(tmp_path, WEEKLY_NAME)), "--kind", "monthly")
    assert result.exit_code == 2 and "--kindmustbefullorweekly" in result.error_text


def test_a_monthly_zip_reports_its_companions(run, tmp_path: Path) -> None:
    from support import companion_files

    result = run(str(companion_files.write_zip(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["dataset"] == "npidata" and set(summary["companions"]) == {"pl", "othername", "endpoint"}
    assert {k: (v["rows_read"], v["rows_written"], v["rows_quarantined"]) for k, v in summary["companions"].items()} \
        == {k: v[:3] for k, v in companion_files.EXPECTED.items()}
