"""Report sections for distance-based access and supply trends: a county map of the E2SFCA
index, the ZCTAs by distance to the nearest primary-care provider, and the supply history of
the counties the report lists. Pure: frames in, sections out; a run without these marts (older
than them) gets no section.
"""

from __future__ import annotations

from html import escape
from typing import cast

import plotly.graph_objects as go
import polars as pl

from careatlas.report import charts
from careatlas.report.html import Section
from careatlas.report.sections import PageSection
from careatlas.report.shapes import Shapes
from careatlas.report.trends import change_between

DISCIPLINES = (("primary_care", "Primary care"), ("dental", "Dental"), ("mental_health", "Mental health"))
BANDS = (  # nearest_provider_band of fct_zcta_spatial_access -> colour (nearer = lighter)
    ("0-10 miles", "#fee5d9"), ("10-20 miles", "#fcae91"), ("20-30 miles", "#fb6a4a"),
    ("30-60 miles", "#de2d26"), ("over 60 miles", "#a50f15"), ("no provider", "#3f007d"),
)
DISTANCE_NOTE = (
    "Distances are straight-line (great-circle) miles between Census ZCTA internal points, not road travel "
    "times (no road network offline); providers sit at their primary practice ZIP's ZCTA. E2SFCA: Luo & Qi "
    "(2009), 0-10 / 10-20 / 20-30 mile bands weighted 1.00 / 0.68 / 0.22, demand = ZCTA populations "
    "(Gazetteer 2023, ACS 2018-2022), county values population-weighted (docs/spatial-access.md)."
)


MARTS = {  # the marts (and columns) the sections read: careatlas.report.data.load_marts(optional=...)
    "fct_county_spatial_access": (
        "county_fips", "county_name", "state_code", "discipline", "zcta_population", "access_per_100k",
        "mean_nearest_provider_miles", "population_beyond_30_miles", "population_beyond_60_miles",
    ),
    "fct_zcta_spatial_access": ("zcta5", "discipline", "population", "nearest_provider_band", "latitude", "longitude"),
    "fct_county_supply_history": (
        "release_date", "county_fips", "discipline", "providers", "net_change", "entries", "new_npis", "exits",
        "deactivations", "moves_in", "moves_out",
    ),
}


def report_sections(frames: dict[str, pl.DataFrame], shapes: Shapes, listed_fips: list[str]) -> list[Section]:
    """The sections this run's marts allow; ``listed_fips`` are the counties the report lists."""
    built = []
    if "fct_county_spatial_access" in frames:
        county = frames["fct_county_spatial_access"]
        built.append(Section("spatial-access", "Distance-based access to primary care (E2SFCA), by county",
                             beyond_table(county), access_map(county, shapes), note=DISTANCE_NOTE))
    if "fct_zcta_spatial_access" in frames:
        built.append(Section("distance-bands", "Distance to the nearest primary-care provider, by ZCTA", "",
                             band_map(frames["fct_zcta_spatial_access"]), note=DISTANCE_NOTE))
    if "fct_county_supply_history" in frames and listed_fips:
        history = frames["fct_county_supply_history"]
        names = frames["fct_county_access"].select("county_fips", "county_name", "state_code")
        built.append(Section("supply-trend", "Supply trend of the listed counties",
                             trend_table(history, listed_fips, names),
                             trend_figure(history, listed_fips),
                             note="Providers per NPPES release (headcount at the primary practice location, split "
                                  "by the ZIP-county crosswalk) and the flows between the first and the latest "
                                  "release the warehouse recorded (fct_county_supply_history)."))
    return built


def access_map(county: pl.DataFrame, shapes: Shapes) -> go.Figure:
    drawn = county.filter((pl.col("discipline") == "primary_care") & pl.col("access_per_100k").is_not_null()
                          & pl.col("county_fips").is_in(list(shapes.county_ids)))
    values = drawn["access_per_100k"].to_list()
    counties = {"type": "FeatureCollection", "features": [
        f for f in shapes.counties["features"] if f["id"] in set(drawn["county_fips"].to_list())]}
    custom = [list(r) for r in zip(drawn["county_name"], drawn["state_code"], drawn["population_beyond_30_miles"],
                                   drawn["mean_nearest_provider_miles"], strict=True)]
    figure = go.Figure(go.Choropleth(
        geojson=counties, locations=drawn["county_fips"].to_list(), z=values, zmin=0,
        zmax=charts.color_cap(values), colorscale="Blues", marker_line_width=0.2, marker_line_color="#ffffff",
        customdata=custom, colorbar={"title": {"text": "E2SFCA<br>per 100,000"}, "thickness": 14, "len": 0.6},
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>Access: %{z:,.1f} per 100,000"
                      "<br>Mean nearest: %{customdata[3]:,.1f} mi<br>People beyond 30 mi: %{customdata[2]:,.0f}"
                      "<extra></extra>"))
    return _usa(figure)


def band_map(zctas: pl.DataFrame) -> go.Figure:
    primary = zctas.filter((pl.col("discipline") == "primary_care") & (pl.col("population") > 0))
    figure = go.Figure()
    for band, color in BANDS:
        points = primary.filter(pl.col("nearest_provider_band") == band)
        figure.add_trace(go.Scattergeo(
            name=band, lat=points["latitude"].round(3).to_list(), lon=points["longitude"].round(3).to_list(),
            mode="markers", marker={"size": 3, "color": color}, text=points["zcta5"].to_list(),
            customdata=points["population"].to_list(),
            hovertemplate=f"ZCTA %{{text}}<br>{escape(band)}<br>People: %{{customdata:,.0f}}<extra></extra>"))
    return _usa(figure)


def beyond_table(county: pl.DataFrame) -> str:
    """People beyond 30 and 60 miles of the nearest provider, per discipline (all counties)."""
    rows = []
    for discipline, label in DISCIPLINES:
        part = county.filter(pl.col("discipline") == discipline)
        people = cast(float, part["zcta_population"].sum()) or 0  # integer columns: never a Decimal
        cells = [f"<td>{label}</td>"]
        for column in ("population_beyond_30_miles", "population_beyond_60_miles"):
            beyond = cast(float, part[column].sum()) or 0
            share = f"{100 * beyond / people:.1f}%" if people else "—"
            cells.append(f'<td class="num">{beyond:,.0f}</td><td class="num">{share}</td>')
        rows.append(f'<tr data-discipline="{discipline}">{"".join(cells)}</tr>')
    head = "<th>Discipline</th><th>People beyond 30 mi</th><th>%</th><th>People beyond 60 mi</th><th>%</th>"
    return (f'<table class="data" id="beyond-distance"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def trend_table(history: pl.DataFrame, listed_fips: list[str], names: pl.DataFrame) -> str:
    rows = change_between(history).filter(pl.col("county_fips").is_in(listed_fips)).join(
        names, on="county_fips", how="left")
    releases = sorted(history["release_date"].unique().to_list())  # the table spans first to latest
    columns = ("providers_from", "providers_to", "net_change", "entries", "new_npis", "exits",
               "deactivations", "moves_in", "moves_out")
    head = "<th>County</th><th>State</th><th>Discipline</th>" + "".join(
        f"<th>{c.replace('_', ' ')}</th>" for c in columns)
    body = "".join(
        f'<tr data-fips="{escape(r["county_fips"])}"><td>{escape(r["county_name"] or r["county_fips"])}</td>'
        f'<td>{escape(r["state_code"] or "")}</td><td>{escape(r["discipline"])}</td>'
        + "".join(f'<td class="num">{r[c]:,.2f}</td>' for c in columns) + "</tr>"
        for r in rows.iter_rows(named=True))
    span = f"<p>Releases recorded: {len(releases)} ({releases[0]} to {releases[-1]}).</p>" if releases else ""
    return (span + f'<table class="data" id="supply-trend-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def trend_figure(history: pl.DataFrame, listed_fips: list[str]) -> go.Figure:
    primary = history.filter(pl.col("county_fips").is_in(listed_fips) & (pl.col("discipline") == "primary_care"))
    figure = go.Figure()
    for (fips,), part in primary.sort("release_date").group_by("county_fips", maintain_order=True):
        figure.add_trace(go.Scatter(name=fips, x=[str(d) for d in part["release_date"]],
                                    y=part["providers"].cast(pl.Float64).to_list(), mode="lines+markers"))
    figure.update_layout(template=charts.TEMPLATE, height=380, margin={"l": 40, "r": 10, "t": 10, "b": 40},
                         yaxis_title="Primary-care providers", xaxis_title="NPPES release")
    return figure


def _usa(figure: go.Figure) -> go.Figure:
    figure.update_geos(scope="usa", projection_type="albers usa", visible=False, showsubunits=False,
                       showland=False, showlakes=False, showcoastlines=False, showframe=False,
                       bgcolor="rgba(0,0,0,0)")
    figure.update_layout(template=charts.TEMPLATE, height=560, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                         legend={"orientation": "h", "y": -0.02, "x": 0.5, "xanchor": "center"})
    return figure


SECTION = PageSection("spatial-access", "Distance-based access and supply trends", MARTS, None, report_sections)
