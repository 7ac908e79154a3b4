from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import plotly.graph_objects as go
import pytest
import report_marts
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.report.html import Section, figure_json, render_page
from careatlas.report.report import map_note, write_report
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import Lake


def test_figure_json_cannot_close_its_script_element() -> None:
    figure = go.Figure(go.Bar(x=[1], y=["</script><script>alert(1)</script>"]))
    text = figure_json(figure)
    assert "</" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><script>alert(1)</script>"]


def test_page_is_self_contained() -> None:
    page = render_page("T <1>", "sub", [Section("a", "A & B", "<p>body</p>", go.Figure(go.Bar(x=[1], y=[2])))])

    assert get_plotlyjs() in page  # the library itself, not a link to it
    ours = page.replace(get_plotlyjs(), "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)
    assert not re.search(r"https?://(?!www\.w3\.org)", ours)
    assert "<title>T &lt;1&gt;</title>" in page and "<h2>A &amp; B</h2>" in page
    seeded, library = page.index("window.PlotlyGeoAssets"), page.index("plotly.js v")
    assert seeded < library  # plotly.js keeps an existing PlotlyGeoAssets, so it must come first
    assert '<script type="application/json" data-figure="a-figure">' in page


def test_map_note_names_what_is_not_drawn(tiny_shapes) -> None:
    note = map_note(report_marts.county_access(), tiny_shapes)
    assert "1 counties have no 2016 outline and are not drawn: Capitol Planning Region, Connecticut (09110)." in note
    assert "1 counties of Puerto Rico and the island areas lie outside the map projection." in note


def test_write_report_writes_one_page_of_the_latest_run(lake: Lake, tmp_path: Path, shapes_cache: Path) -> None:
    report_marts.publish(lake, "run-old")
    report_marts.publish(lake, "run-new")
    out = tmp_path / "out" / "report.html"

    path = write_report(lake, out=out, dbt_docs=False, shapes_cache=shapes_cache, top_counties=3)

    assert path == out.resolve()
    page = out.read_text()
    assert ("Run run-new · built 2025-01-13T10:00:00+00:00 · NPPES 2025-01-12 + 1 weekly"
            " · demographics ACS 5-year 2023") in page
    for anchor in ("summary", "county-map", "state-density", "specialty-gaps", "underserved", "provenance"):
        assert f'<section id="{anchor}">' in page
    assert page.count("<tr data-fips=") == 3
    assert "not generated (--no-dbt-docs)" in page
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left behind


def test_an_older_run_is_labelled(lake: Lake, tmp_path: Path, shapes_cache: Path) -> None:
    report_marts.publish(lake, "run-old")
    report_marts.publish(lake, "run-new")
    page = write_report(lake, "run-old", tmp_path / "r.html", dbt_docs=False, shapes_cache=shapes_cache).read_text()
    assert "Run run-old (not the latest)" in page


@pytest.fixture
def cli(lake: Lake, tmp_path: Path, shapes_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    # set first so monkeypatch restores them: the CLI writes --lake into the environment
    monkeypatch.setenv("CAREATLAS_LAKE", lake.root)
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")
    monkeypatch.setenv("CAREATLAS_WAREHOUSE_PATH", str(tmp_path / "warehouse" / "warehouse.duckdb"))

    def invoke(*args: str):
        get_settings.cache_clear()  # each command is a fresh process in real use
        return CliRunner().invoke(app, ["report", *args, "--lake", lake.root, "--shapes-cache", str(shapes_cache)])

    yield invoke
    get_settings.cache_clear()


def test_cli_writes_the_report_and_says_where(cli, lake: Lake, tmp_path: Path) -> None:
    report_marts.publish(lake, "run-1")
    out = tmp_path / "cli" / "r.html"

    result = cli("latest", "--out", str(out), "--no-dbt-docs", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {"report": str(out.resolve()), "bytes": out.stat().st_size, "dbt_docs": None}


def test_cli_unknown_run_exits_not_found(cli, lake: Lake, tmp_path: Path) -> None:
    report_marts.publish(lake, "run-1")
    result = cli("run-nope", "--out", str(tmp_path / "r.html"), "--no-dbt-docs")
    assert result.exit_code == 3
    assert "run run-nope has no marts" in result.output
    assert not (tmp_path / "r.html").exists()


def test_cli_bad_mart_exits_failed_naming_the_column(cli, lake: Lake, tmp_path: Path) -> None:
    frames = report_marts.all_marts()
    frames["fct_underserved_counties"] = frames["fct_underserved_counties"].drop("underserved_rank")
    report_marts.publish(lake, "run-1", frames)
    result = cli("--out", str(tmp_path / "r.html"), "--no-dbt-docs")
    assert result.exit_code == 1
    assert "lacks column(s) underserved_rank" in result.output
