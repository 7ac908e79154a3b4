from __future__ import annotations

import pytest
import report_marts

from careatlas.report import charts
from careatlas.report.shapes import Shapes


def _trace(figure, name: str):
    matches = [t for t in figure.data if t.name == name or (t.name or "").startswith(name + " (")]
    assert len(matches) == 1, [t.name for t in figure.data]
    return matches[0]


def test_map_colours_counties_by_people_per_primary_care_provider(tiny_shapes: Shapes) -> None:
    access = report_marts.county_access()

    figure = charts.county_map(access, tiny_shapes)

    rated = _trace(figure, "People per primary-care provider")
    expected = {
        row["county_fips"]: row["people_per_primary_care_provider"]
        for row in access.iter_rows(named=True)
        if row["people_per_primary_care_provider"] is not None and row["county_fips"] != "09110"
    }
    assert dict(zip(rated.locations, rated.z, strict=True)) == expected
    assert {f["id"] for f in rated.geojson["features"]} == set(expected)  # each outline once in the page
    assert {f["id"] for f in _trace(figure, "No primary-care provider").geojson["features"]} == {"50009", "48301"}
    assert rated.zmin == 0 and rated.zmax == charts.color_cap(list(expected.values()))


def test_map_shows_counties_without_a_provider_apart(tiny_shapes: Shapes) -> None:
    figure = charts.county_map(report_marts.county_access(), tiny_shapes)

    assert list(_trace(figure, "No primary-care provider").locations) == ["50009", "48301"]
    assert list(_trace(figure, "No population estimate").locations) == []


def test_map_marks_each_shortage_screen(tiny_shapes: Shapes) -> None:
    figure = charts.county_map(report_marts.county_access(), tiny_shapes)
    points = tiny_shapes.points()

    primary = _trace(figure, "Primary-care shortage screen met")
    assert primary.name == "Primary-care shortage screen met (4)"
    met = ["50009", "48301", "72001", "06037"]
    assert list(zip(primary.lon, primary.lat, strict=True)) == [points[f] for f in met]
    assert primary.visible is True
    assert _trace(figure, "Mental-health shortage screen met").visible == "legendonly"
    assert len(_trace(figure, "Dental shortage screen met").lon) == 3


def test_map_draws_without_fetching_a_base_map(tiny_shapes: Shapes) -> None:
    geo = charts.county_map(report_marts.county_access(), tiny_shapes).layout.geo
    assert (geo.scope, geo.projection.type, geo.visible) == ("usa", "albers usa", False)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 1.0),
        ([0.0, 0.0], 1.0),
        ([1000.0, 2000.0, 3000.0], 3000.0),
        (list(range(1, 101)), 95.0),
        ([float(v) for v in range(100, 2100, 100)] + [250_000.0], 2000.0),  # an outlier does not set the scale
        ([3456.0], 3500.0),  # rounded up to two significant digits
    ],
)
def test_color_cap(values, expected) -> None:
    assert charts.color_cap(values) == expected


def test_states_are_ranked_by_each_measure() -> None:
    states = report_marts.state_density()

    figure = charts.state_density(states)

    bars = figure.data[0]
    assert list(bars.y) == ["New York (NY)", "Vermont (VT)", "Texas (TX)", "Puerto Rico (PR)"]
    assert list(bars.x) == [80.5, 61.0, 55.25, None]
    menu = figure.layout.updatemenus[0].buttons
    assert [b.label for b in menu] == [label for _c, label in charts.DENSITY_METRICS]
    dentists = next(b for b in menu if b.label.startswith("Dentists"))
    assert dentists.args[0]["x"] == [[60.0, 59.0, 58.0, 57.0]]
    assert dentists.args[0]["y"][0][0] == "Vermont (VT)"
    assert dentists.args[0]["marker.color"][0][-1] == "#7f7f7f"  # Puerto Rico: no Census region


def test_largest_gaps_are_the_top_shortfalls_per_region() -> None:
    largest = charts.largest_gaps(report_marts.specialty_gaps(), top=2)

    assert largest.select("geography_name", "specialty_name", "provider_gap").rows() == [
        ("Northeast", "Family Medicine", 120.0), ("Northeast", "Dentist", 80.0),
        ("South", "Family Medicine", 900.0), ("South", "Psychologist", 300.0),
    ]


def test_gap_chart_has_one_panel_per_region() -> None:
    figure = charts.specialty_gaps(report_marts.specialty_gaps(), top=8)

    assert [t.name for t in figure.data] == ["Northeast", "South"]
    assert list(figure.data[1].y) == ["Family Medicine", "Psychologist", "Pediatrics"]
    assert [a.text for a in figure.layout.annotations] == ["Northeast", "South"]


def test_gap_chart_says_so_when_no_region_is_short() -> None:
    gaps = report_marts.specialty_gaps().with_columns(provider_gap=-1.0)
    figure = charts.specialty_gaps(gaps)
    assert not figure.data
    assert "No specialty is below the national rate" in figure.layout.annotations[0].text
