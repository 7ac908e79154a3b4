"""``careatlas census fetch|import`` in-process against the local fake API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.census_api import VALID_KEY, FakeCensus
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared.settings import get_settings


@pytest.fixture
def run(fake_census: FakeCensus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    env = {
        "CAREATLAS_LAKE": str(tmp_path / "lake"),
        "CAREATLAS_CENSUS_API_KEY": VALID_KEY,
        "CAREATLAS_CENSUS_BASE_URL": fake_census.url,
        "CAREATLAS_CENSUS_MAX_RETRIES": "0",
        "CAREATLAS_REDIS_URL": "redis://127.0.0.1:1/0",  # no Redis: the CLI falls back to a file lock
        "CAREATLAS_LOG_FORMAT": "json",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    def invoke(*args: str):
        get_settings.cache_clear()  # each command is a fresh process in real use
        return CliRunner().invoke(app, list(args))

    yield invoke
    get_settings.cache_clear()


def test_fetch_then_cache_hit(run, fake_census: FakeCensus, tmp_path: Path) -> None:
    lake = str(tmp_path / "other-lake")
    first = run("census", "fetch", "--year", "2022", "--geo", "county,state", "--lake", lake, "--json")
    assert first.exit_code == 0, first.output
    results = json.loads(first.stdout)
    assert [(r["geo"], r["source"]) for r in results] == [("county", "live"), ("state", "live")]
    assert (Path(lake) / results[0]["data_key"]).is_file()
    again = run("census", "fetch", "--year", "2022", "--geo", "county,state", "--lake", lake, "--json")
    assert [r["source"] for r in json.loads(again.stdout)] == ["cache", "cache"]
    assert len(fake_census.data_calls()) == 2
    refreshed = run("census", "fetch", "--year", "2022", "--lake", lake, "--refresh")
    assert refreshed.exit_code == 0 and "from live" in refreshed.stdout
    assert VALID_KEY not in first.output + again.output + refreshed.output


def test_extra_variables_are_added_to_the_default_set(run, tmp_path: Path) -> None:
    result = run("census", "fetch", "--year", "2021", "--variables", "B25001_001E", "--json")
    assert result.exit_code == 0, result.output
    variables = json.loads(result.stdout)[0]["variables"]
    assert variables[0] == "B01003_001E" and variables[-1] == "B25001_001E" and len(variables) == 30


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--year", "2022"], {"CAREATLAS_CENSUS_API_KEY": "wrong-key-12345"}, 1, "rejected the key as invalid"),
        (["--year", "2022"], {"CAREATLAS_CENSUS_API_KEY": ""}, 1, "requires a key"),
        (["--year", "2022", "--variables", "B99999_001E"], {}, 2, "unknown variable 'B99999_001E'"),
        (["--year", "2030"], {}, 2, "2009-2024"),
        (["--year", "2022", "--geo", "tract"], {}, 2, "county, state"),
        (["--year", "2022"], {"CAREATLAS_CENSUS_BASE_URL": "http://127.0.0.1:9/data"}, 4, "cannot reach"),
    ],
)
def test_failures_exit_with_the_documented_code(
    run, fake_census: FakeCensus, monkeypatch: pytest.MonkeyPatch, args: list, env: dict, code: int, message: str
) -> None:
    fake_census.unknown.add("B99999_001E")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run("census", "fetch", *args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.stderr.split())
    assert VALID_KEY not in result.output and "wrong-key-12345" not in result.output


def test_import_then_serve_offline(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "pop.csv"
    source.write_text('B01003_001E,NAME,GEOID,state,county\n3304,"Aleutians East Borough, Alaska",x,02,013\n')
    imported = run("census", "import", str(source), "--year", "2015", "--json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["source"] == "imported"
    monkeypatch.setenv("CAREATLAS_CENSUS_BASE_URL", "http://127.0.0.1:9/data")
    served = run("census", "fetch", "--year", "2015", "--variables", "B01003_001E", "--json")
    assert served.exit_code == 0, served.output
    assert json.loads(served.stdout)[0]["source"] == "cache"
    everything = run("census", "fetch", "--year", "2015")
    assert everything.exit_code == 4  # the default set is not in the snapshot and the API is unreachable
    missing = run("census", "import", str(tmp_path / "nope.csv"), "--year", "2015")
    assert missing.exit_code == 3 and "nope.csv does not exist" in " ".join(missing.stderr.split())
