"""``careatlas run --kind weekly --nppes <CMS page> --catch-up`` (the weekly CronJob, issue 14 item
10, review M10): every weekly newer than the last release applied, oldest first, each followed to
its end; the first that fails stops the rest and is the command's exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import run_cli

from careatlas.cli import run_commands
from careatlas.nppes import landing
from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

PAGE = "https://download.cms.gov/nppes/NPI_Files.html"
WEEKLIES = {release: f"https://download.cms.gov/nppes/NPPES_Data_Dissemination_{release}_Weekly.zip"
            for release in ("2025-04-06", "2025-04-13", "2025-04-20", "2025-04-27")}


class _Started(list):
    codes: dict[str, int]


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Started:
    """The runs `--catch-up` starts (each one's exit code from ``codes``), on a lake where the full
    release 2025-04-07 and the weekly 2025-04-13 are applied."""
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    lake = Lake(str(tmp_path / "lake"), Settings())
    for dataset, release, kind in (("npidata", "2025-04-07", "full"), ("npidata_weekly", "2025-04-13", "weekly")):
        catalog.publish(lake, catalog.PublishedRelease(
            dataset=dataset, release=release, kind=kind, version="v1", files=[], rows=0, rows_quarantined=0,
            source_file="x.csv", source_sha256="0" * 64))
    monkeypatch.setattr(landing, "cms_weekly_links", lambda page, _settings: sorted(WEEKLIES.items()))
    started = _Started()
    started.codes = {}

    def run_one(_settings, nppes, release, kind, _acs_year, refs, *, force, wait, as_json) -> int:
        started.append({"nppes": nppes, "kind": kind, "wait": wait, "release": release, "refs": refs})
        return started.codes.get(nppes, 0)

    monkeypatch.setattr(run_commands, "_run_one", run_one)
    return started


def test_every_missed_weekly_is_run_oldest_first_and_followed_to_its_end(runs: _Started) -> None:
    result = run_cli("run", "--kind", "weekly", "--nppes", PAGE, "--catch-up")
    assert result.exit_code == 0, result.stderr
    assert [r["nppes"] for r in runs] == [WEEKLIES["2025-04-20"], WEEKLIES["2025-04-27"]]  # not 04-06, 04-13
    assert all(r["kind"] == "weekly" and r["wait"] for r in runs)


def test_the_first_failed_weekly_stops_the_rest_and_fails_the_job(runs: _Started) -> None:
    runs.codes[WEEKLIES["2025-04-20"]] = 1
    result = run_cli("run", "--kind", "weekly", "--nppes", PAGE, "--catch-up")
    assert result.exit_code == 1
    assert [r["nppes"] for r in runs] == [WEEKLIES["2025-04-20"]]  # 04-27 waits for 04-20 to be applied


def test_catch_up_needs_a_weekly_page() -> None:
    result = run_cli("run", "--kind", "full", "--nppes", PAGE, "--catch-up")
    assert result.exit_code == 2 and "--catch-upneeds--kindweekly" in result.flat_stderr
