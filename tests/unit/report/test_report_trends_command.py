"""``careatlas trends --from A --to B`` over a published supply history (report_marts.publish)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from report_marts import publish
from support.cli import run_cli
from test_report_access_trends import history

from careatlas.shared.storage import Lake


@pytest.fixture
def published(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Lake:
    monkeypatch.setenv("CAREATLAS_LAKE", str(lake.uri()))
    publish(lake, "run-1", {"fct_county_supply_history": history()})
    return lake


def test_change_between_two_releases_as_json_and_csv(published: Lake, tmp_path: Path) -> None:
    out = tmp_path / "change.csv"
    result = run_cli("trends", "--from", "2025-01-19", "--to", "2025-02-09", "--county", "50009", "--json",
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["providers_from"], row["providers_to"], row["net_change"], row["entries"]) == (1.0, 3.0, 2.0, 2.0)
    assert pl.read_csv(out)["net_change"].to_list() == [2.0]


def test_an_unrecorded_release_is_not_found(published: Lake) -> None:
    result = run_cli("trends", "--from", "2024-12-01")
    assert result.exit_code == 3 and "2024-12-01isnotinthesupplyhistory" in result.flat_stderr


def test_a_lake_without_marts_is_not_found(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREATLAS_LAKE", str(lake.uri()))
    result = run_cli("trends")
    assert result.exit_code == 3 and "nomartspublished" in result.flat_stderr
