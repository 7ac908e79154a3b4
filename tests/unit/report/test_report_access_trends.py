"""The distance-access and supply-trend sections (careatlas.report.access_trends), from small
marts in the documented shapes (dbt/models/marts/spatial, marts/history)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from report_marts import county_access

from careatlas.report import access_trends, trends
from careatlas.report.html import render_page


def county_spatial() -> pl.DataFrame:
    rows = [("50007", "primary_care", 160_000.0, 85.0, 4.0, 0.0, 0.0),
            ("50009", "primary_care", 6_000.0, 3.5, 41.0, 6_000.0, 0.0),
            ("50007", "dental", 160_000.0, 50.0, 5.0, 0.0, 0.0),
            ("50009", "dental", 6_000.0, 0.0, 70.0, 6_000.0, 6_000.0),
            ("50007", "mental_health", 160_000.0, 90.0, 3.0, 0.0, 0.0),
            ("50009", "mental_health", 6_000.0, 1.0, 20.0, 0.0, 0.0)]
    return pl.DataFrame([{
        "county_fips": fips, "county_name": f"County {fips}", "state_code": "VT", "discipline": discipline,
        "zcta_population": people, "access_per_100k": index, "mean_nearest_provider_miles": miles,
        "population_beyond_30_miles": beyond30, "population_beyond_60_miles": beyond60,
    } for fips, discipline, people, index, miles, beyond30, beyond60 in rows])


def history() -> pl.DataFrame:
    steps = [  # release, fips, providers, net, entries, new, exits, deactivations, in, out
        (date(2025, 1, 12), "50009", 2.0, None, None, None, None, None, None, None),
        (date(2025, 1, 19), "50009", 1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0),
        (date(2025, 2, 9), "50009", 3.0, 2.0, 2.0, 1.0, 0.0, 0.0, 0.5, 0.5),
        (date(2025, 2, 9), "50007", 9.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0),
    ]
    names = ("release_date", "county_fips", "providers", "net_change", "entries", "new_npis", "exits",
             "deactivations", "moves_in", "moves_out")
    return pl.DataFrame([dict(zip(names, s, strict=True)) | {"discipline": "primary_care"} for s in steps],
                        schema_overrides={n: pl.Float64 for n in names[2:]})


def zctas() -> pl.DataFrame:
    return pl.DataFrame({"zcta5": ["05401", "05905", "05906"], "discipline": ["primary_care"] * 3,
                         "population": [40_000, 300, 0],
                         "nearest_provider_band": ["0-10 miles", "over 60 miles", "no provider"],
                         "latitude": [44.48, 44.7, 44.8], "longitude": [-73.2, -71.6, -71.5]})


def test_people_beyond_30_and_60_miles_per_discipline() -> None:
    table = access_trends.beyond_table(county_spatial())
    dental = table.split('data-discipline="dental"')[1].split("</tr>")[0]
    assert "6,000" in dental and "3.6%" in dental  # 6,000 of 166,000 people, beyond 30 and beyond 60 miles
    primary = table.split('data-discipline="primary_care"')[1].split("</tr>")[0]
    assert primary.count("6,000") == 1 and ">0<" in primary


@pytest.mark.parametrize(("start", "end", "expected"), [
    (None, None, {"providers_from": 2.0, "providers_to": 3.0, "net_change": 1.0, "entries": 2.0, "new_npis": 1.0,
                  "exits": 1.0, "deactivations": 1.0, "moves_in": 0.5, "moves_out": 0.5}),
    (date(2025, 1, 19), date(2025, 2, 9), {"providers_from": 1.0, "providers_to": 3.0, "net_change": 2.0,
                                            "entries": 2.0, "exits": 0.0, "moves_in": 0.5}),
    (date(2025, 1, 12), date(2025, 1, 19), {"providers_to": 1.0, "net_change": -1.0, "deactivations": 1.0}),
])
def test_change_between_two_releases(start, end, expected) -> None:
    rows = trends.change_between(history(), start, end)
    row = rows.filter(pl.col("county_fips") == "50009").to_dicts()[0]
    assert {k: row[k] for k in expected} == expected
    # the flows add up to the change between the two releases
    assert row["net_change"] == row["entries"] - row["exits"] + row["moves_in"] - row["moves_out"]
    # a county with no provider at the first release starts from 0
    assert rows.filter(pl.col("county_fips") == "50007")["providers_from"].to_list() in ([], [0.0])


def test_change_between_refuses_unrecorded_releases_and_reversed_ranges() -> None:
    with pytest.raises(trends.TrendError, match="2025-01-13 is not in the supply history"):
        trends.change_between(history(), date(2025, 1, 13))
    with pytest.raises(trends.TrendError, match="before"):
        trends.change_between(history(), date(2025, 2, 9), date(2025, 1, 12))


def test_sections_map_only_the_primary_care_index_and_list_the_counties(tiny_shapes) -> None:
    frames = {"fct_county_spatial_access": county_spatial(), "fct_zcta_spatial_access": zctas(),
              "fct_county_supply_history": history(), "fct_county_access": county_access()}
    built = access_trends.report_sections(frames, tiny_shapes, ["50009"])
    assert [s.anchor for s in built] == ["spatial-access", "distance-bands", "supply-trend"]
    choropleth = built[0].figure.data[0]
    assert list(choropleth.locations) == ["50007", "50009"] and list(choropleth.z) == [85.0, 3.5]
    bands = {trace.name: list(trace.text) for trace in built[1].figure.data}
    assert bands["0-10 miles"] == ["05401"] and bands["over 60 miles"] == ["05905"] and bands["no provider"] == []
    assert 'data-fips="50009"' in built[2].body and 'data-fips="50007"' not in built[2].body
    assert "Essex County, Vermont" in built[2].body
    assert "straight-line" in built[0].note
    page = render_page("t", "s", built)
    assert page.count("data-figure=") == 3


def test_a_run_without_the_marts_gets_no_section(tiny_shapes) -> None:
    assert access_trends.report_sections({"fct_county_access": county_access()}, tiny_shapes, ["50009"]) == []


def test_the_page_draws_the_sections_after_the_underserved_table(lake, tmp_path, shapes_cache) -> None:
    from report_marts import all_marts, publish

    from careatlas.report.report import write_report

    history_rows = history().with_columns(pl.lit("50009").alias("county_fips"))
    publish(lake, "run-1", {**all_marts(), "fct_county_spatial_access": county_spatial(),
                            "fct_zcta_spatial_access": zctas(), "fct_county_supply_history": history_rows.head(3)})
    page = write_report(lake, out=tmp_path / "r.html", dbt_docs=False, shapes_cache=shapes_cache).read_text()
    anchors = [a for a in ("underserved", "spatial-access", "distance-bands", "supply-trend", "provenance")
               if f'<section id="{a}">' in page]
    assert anchors == ["underserved", "spatial-access", "distance-bands", "supply-trend", "provenance"]
    assert page.index('id="underserved"') < page.index('id="spatial-access"') < page.index('id="provenance"')
