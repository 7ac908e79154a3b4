"""``careatlas demo --nppes F`` says what it needs when F is a weekly delta, has a name that does
not tell the release, or cannot be read; and the reference files cut to the demo's states keep
their bytes (header, encoding, line endings) and only those states' rows."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from support.cli import run_cli

from careatlas.cli.demo_inputs import REGIONAL_CUTS, regional_references
from careatlas.cli.reference_files import embedded_sources
from careatlas.shared.reference_folder import VENDORED_DIR

NEEDS = "thedemoneedsafull(monthly)NPPESrelease"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")
    return lambda *args: run_cli("demo", "--lake", str(tmp_path / "lake"), *args)


def _csv(path: Path) -> Path:
    path.write_text('"NPI","Entity Type Code"\n"1234567893","1"\n')
    return path


def test_a_weekly_file_is_refused_with_what_the_demo_needs(run, tmp_path: Path) -> None:
    weekly = _csv(tmp_path / "npidata_pfile_20240101-20240107.csv")
    result = run("--nppes", str(weekly))
    assert result.exit_code == 2
    assert "weeklyNPPESupdate" in result.flat_stderr and NEEDS in result.flat_stderr
    assert "careatlasingestFILE--kindweekly" in result.flat_stderr
    assert "nopublishedNPPESfullrelease" not in result.flat_stderr
    assert not (tmp_path / "lake" / "raw").exists()  # refused before anything ran


def test_a_weekly_zip_is_refused(run, tmp_path: Path) -> None:
    path = tmp_path / "NPPES_Data_Dissemination_010124_010724_Weekly_V2.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("npidata_pfile_20240101-20240107.csv", '"NPI"\n')
    result = run("--nppes", str(path))
    assert result.exit_code == 2 and "weeklyNPPESupdate" in result.flat_stderr


def test_a_name_without_a_release_asks_for_one(run, tmp_path: Path) -> None:
    result = run("--nppes", str(_csv(tmp_path / "providers.csv")))
    assert result.exit_code == 2
    assert "thenamedoesnotsaywhichNPPESreleaseitis" in result.flat_stderr
    assert NEEDS in result.flat_stderr and "--releaseYYYY-MM-DD" in result.flat_stderr


def test_a_zip_without_an_npidata_member_says_so(run, tmp_path: Path) -> None:
    path = tmp_path / "NPPES_Data_Dissemination_April_2025.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("readme.txt", "nothing")
    result = run("--nppes", str(path))
    assert result.exit_code == 2 and "expectedonenpidata_pfile_*.csvmember" in result.flat_stderr


def test_a_missing_file_is_not_found(run, tmp_path: Path) -> None:
    result = run("--nppes", str(tmp_path / "npidata_pfile_20050523-20250406.csv"))
    assert result.exit_code == 3 and "nosuchfile" in result.flat_stderr and NEEDS in result.flat_stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_says_so(run, tmp_path: Path) -> None:
    path = _csv(tmp_path / "npidata_pfile_20050523-20250406.csv")
    path.chmod(0)
    result = run("--nppes", str(path))
    assert result.exit_code == 3 and "cannotreadit" in result.flat_stderr


def test_unknown_demo_states_are_a_usage_error(run) -> None:
    result = run("--states", "NE,XX", "--rows", "100")
    assert result.exit_code == 2 and "unknownstatecode(s)XX" in result.flat_stderr


def test_the_regional_cut_keeps_bytes_and_only_those_states(tmp_path: Path) -> None:
    sources = embedded_sources(None)
    cut = regional_references(sources, ("ND", "WY"), None, tmp_path)
    assert set(cut) == set(sources) and cut["nucc"] == sources["nucc"]
    for kind, column in REGIONAL_CUTS.items():
        original, lines = Path(sources[kind]).read_bytes(), Path(cut[kind]).read_bytes().splitlines(keepends=True)
        assert original.startswith(lines[0])  # the header, byte for byte
        states = {line.split(b",")[column][:2] for line in lines[1:]}
        assert states == {b"38", b"56"}, kind
        assert all(line in original for line in lines[1:4])
    agesex = Path(cut["pep_agesex"]).read_bytes()
    assert agesex.count(b"\n") == 1 + 53 + 23  # ND's and WY's counties, Latin-1 bytes untouched
    assert Path(sources["hud"]).parent == VENDORED_DIR


@pytest.mark.parametrize("terminal", [True, False])
def test_long_steps_show_progress_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    import io

    from rich.console import Console

    from careatlas.cli import demo_inputs

    out = io.StringIO()
    monkeypatch.setattr(demo_inputs, "console", Console(file=out, force_terminal=terminal, width=100))
    with demo_inputs.steps() as step, step("Building the marts (dbt)"):
        pass
    assert ("Building the marts (dbt)" in out.getvalue()) is terminal


def test_the_reference_option_reaches_the_settings_the_report_reads(tmp_path: Path) -> None:
    """The report's comparisons (careatlas.report.validation) find CHR through the settings'
    reference folder: ``demo --reference`` must set it, as ``--lake`` sets the lake."""
    from careatlas.cli.bootstrap import configure
    from careatlas.shared.settings import get_settings

    configure(lake=str(tmp_path / "lake"), reference=tmp_path)
    assert get_settings().reference_dir == tmp_path and get_settings().lake == str(tmp_path / "lake")
