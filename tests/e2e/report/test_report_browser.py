"""The report in a real headless browser: it loads offline without console errors, the map is
drawn, and the numbers on the page are the marts' numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from headless_chromium import Chromium
from report_scenario import RUN_ID, BuiltReport

pytestmark = pytest.mark.e2e


def _mart(built: BuiltReport, name: str) -> pl.DataFrame:
    return pl.read_parquet(built.lake.uri(built.pointer["marts"][name]))


def _number(text: str) -> float:
    return float(re.sub(r"[,%\s]", "", text))


def _figure(page: Chromium, anchor: str) -> list[dict]:
    # plotly keeps the drawn data on the element; JSON round trip drops typed arrays' wrappers
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{anchor}-figure').data))")


def test_page_loads_offline_without_console_errors(page: Chromium, built_report: BuiltReport) -> None:
    assert page.evaluate("document.body.getAttribute('data-report-ready')") == "true"
    assert page.problems() == []
    requested = page.requested_urls()
    assert requested == [built_report.report.as_uri()]  # one file: no CDN, no topojson, no fonts


def test_map_is_drawn(page: Chromium, built_report: BuiltReport) -> None:
    access = _mart(built_report, "fct_county_access")
    paths = page.evaluate("document.querySelectorAll('#county-map-figure path.choroplethlocation').length")
    assert paths == 56 + access.height  # state outlines + every county of the mart (all have a 2016 outline)

    pixels = page.screenshot("#county-map-figure").astype(int)[..., :3]

    assert pixels.shape[0] > 200 and pixels.shape[1] > 400
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50
    # Essex County VT and Loving County TX have no primary-care provider: drawn in #3f007d
    no_provider = np.all(np.abs(pixels - [0x3F, 0x00, 0x7D]) <= 12, axis=-1).sum()
    # the ratio scale (YlOrRd): strong red with little blue somewhere on the map
    ratio = ((pixels[..., 0] > 150) & (pixels[..., 2] < 90) & (pixels[..., 1] < 200)).sum()
    assert no_provider > 0 and ratio > 0, (no_provider, ratio)


def test_map_values_are_the_marts(page: Chromium, built_report: BuiltReport) -> None:
    access = _mart(built_report, "fct_county_access")
    traces = {trace.get("name"): trace for trace in _figure(page, "county-map")}

    rated = traces["People per primary-care provider"]
    expected = dict(access.filter(pl.col("people_per_primary_care_provider").is_not_null())
                    .select("county_fips", "people_per_primary_care_provider").rows())
    assert dict(zip(rated["locations"], rated["z"], strict=True)) == pytest.approx(expected)
    no_provider = access.filter(pl.col("people_per_primary_care_provider").is_null())["county_fips"]
    assert sorted(traces["No primary-care provider"]["locations"]) == sorted(no_provider) == ["48301", "50009"]
    shortage = access.filter(pl.col("is_primary_care_shortage"))
    markers = next(t for name, t in traces.items() if name.startswith("Primary-care shortage screen met"))
    assert len(markers["lon"]) == shortage.height > 0


def test_headline_numbers_are_the_marts(page: Chromium, built_report: BuiltReport) -> None:
    access = _mart(built_report, "fct_county_access")
    shown = page.evaluate("Object.fromEntries([...document.querySelectorAll('.kpi')].map("
                          "k => [k.dataset.kpi, k.querySelector('.value').textContent]))")
    shortage = access.filter(pl.col("is_primary_care_shortage"))
    expected = {
        "counties": access.height,
        "population": access["total_population"].sum(),
        "providers": access["individual_providers"].sum(),
        "pc_shortage_counties": shortage.height,
        "pc_shortage_population": shortage["total_population"].sum(),
        "no_pcp_counties": access.filter(pl.col("primary_care_providers") == 0).height,
    }
    assert {key: _number(text) for key, text in shown.items()} == pytest.approx(expected, abs=0.5)


def test_underserved_table_is_the_mart(page: Chromium, built_report: BuiltReport) -> None:
    mart = _mart(built_report, "fct_underserved_counties").sort("underserved_rank")
    rows = page.evaluate("[...document.querySelectorAll('#underserved-table tbody tr')].map(r => "
                         "Object.fromEntries([['fips', r.dataset.fips], ...[...r.cells].map("
                         "c => [c.dataset.col, c.textContent])]))")

    assert [r["fips"] for r in rows] == mart["county_fips"].to_list()
    for row, source in zip(rows, mart.iter_rows(named=True), strict=True):
        assert row["county_name"] == source["county_name"]
        for column, tolerance in (("underserved_rank", 0), ("underserved_score", 0.05), ("total_population", 0.5),
                                  ("people_per_primary_care_provider", 0.5), ("poverty_rate_pct", 0.05)):
            if source[column] is None:
                assert row[column] == "—"
            else:
                assert _number(row[column]) == pytest.approx(source[column], abs=tolerance), column


def test_state_ranking_is_the_mart(page: Chromium, built_report: BuiltReport) -> None:
    mart = _mart(built_report, "fct_state_provider_density").sort("primary_care_providers_per_100k",
                                                                   descending=True)
    bars = _figure(page, "state-density")[0]
    assert bars["y"] == [f"{n} ({c})" for n, c in mart.select("state_name", "state_code").rows()]
    assert bars["x"] == pytest.approx(mart["primary_care_providers_per_100k"].to_list())


def test_specialty_gaps_are_the_marts_largest(page: Chromium, built_report: BuiltReport) -> None:
    gaps = _mart(built_report, "fct_specialty_gaps").filter(
        (pl.col("geography_level") == "region") & (pl.col("specialty_kind") == "classification")
        & (pl.col("provider_gap") > 0))
    for trace in _figure(page, "specialty-gaps"):
        region = gaps.filter(pl.col("geography_name") == trace["name"]).sort("provider_gap", descending=True)
        assert trace["y"] == region["specialty_name"].head(8).to_list()
        assert trace["x"] == pytest.approx(region["provider_gap"].head(8).to_list())


def test_provenance_is_the_runs(page: Chromium, built_report: BuiltReport) -> None:
    text = page.evaluate("document.getElementById('provenance').innerText")
    nppes = page.evaluate("[...document.querySelectorAll('#nppes-inputs tbody td')].map(c => c.textContent)")
    inputs = built_report.pointer["inputs"]
    assert f"Run\t{RUN_ID}" in text and f"ACS 5-year vintage\t{inputs['acs_year']}" in text
    assert nppes[:5] == ["npidata", inputs["nppes_full"]["release"], "v1",
                         f"{inputs['nppes_full']['rows']:,}", f"{inputs['nppes_full']['rows']:,}"]
    shown = page.evaluate("Object.fromEntries([...document.querySelectorAll('#dbt-tests span')].map("
                          "s => [s.dataset.status, s.textContent]))")
    assert {s: int(_number(t.split()[0])) for s, t in shown.items()} == built_report.pointer["tests"]


def test_dbt_docs_are_published_beside_the_report(page: Chromium, built_report: BuiltReport) -> None:
    href = page.evaluate("document.getElementById('dbt-docs-link').getAttribute('href')")
    docs = built_report.report.parent / href
    assert docs.is_file()
    manifest = json.loads((docs.parent / "manifest.json").read_text())
    catalog = json.loads((docs.parent / "catalog.json").read_text())
    assert "model.careatlas.fct_underserved_counties" in manifest["nodes"]
    # the catalog came from the warehouse this run built: the mart's columns are in it
    assert "underserved_score" in {c.lower() for c in catalog["nodes"]["model.careatlas.fct_underserved_counties"]
                                   ["columns"]}
    assert Path(docs).stat().st_size > 100_000
