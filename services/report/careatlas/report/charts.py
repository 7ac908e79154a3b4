"""The report's figures (plotly), built from mart frames. Pure: frames in, figures out.

Figures carry the mart values unrounded (hover labels format them), so what the page shows can
be checked against the marts.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from careatlas.report.shapes import Shapes

TEMPLATE = "plotly_white"
RATIO_SCALE = "YlOrRd"  # more people per provider = darker: worse access reads as "hotter"
NO_PROVIDER_COLOR = "#3f007d"
NO_PEOPLE_COLOR = "#bdbdbd"
SHORTAGES = (  # (mart column, legend label, marker colour, shown at first)
    ("is_primary_care_shortage", "Primary-care shortage screen met", "#08306b", True),
    ("is_dental_shortage", "Dental shortage screen met", "#006d2c", "legendonly"),
    ("is_mental_health_shortage", "Mental-health shortage screen met", "#7a0177", "legendonly"),
)
DENSITY_METRICS = (  # (fct_state_provider_density column, label)
    ("primary_care_providers_per_100k", "Primary-care providers per 100,000 people"),
    ("individual_providers_per_100k", "Individual providers (all specialties) per 100,000 people"),
    ("dentists_per_100k", "Dentists per 100,000 people"),
    ("core_mental_health_providers_per_100k", "Core mental-health providers per 100,000 people"),
    ("psychiatrists_per_100k", "Psychiatrists per 100,000 people"),
)
REGION_COLORS = {"Northeast": "#1f77b4", "Midwest": "#2ca02c", "South": "#d62728", "West": "#9467bd"}


def color_cap(values: list[float], quantile: float = 0.95) -> float:
    """Top of the colour scale: the 95th percentile, so a few extreme counties do not wash out
    the rest (they take the darkest colour; hover shows the true value)."""
    if not values:
        return 1.0
    ordered = sorted(values)
    top = ordered[min(len(ordered) - 1, math.ceil(quantile * len(ordered)) - 1)]
    if top <= 0:
        return 1.0
    step = 10 ** max(0, math.floor(math.log10(top)) - 1)  # two significant digits
    return float(math.ceil(top / step) * step)


def county_map(access: pl.DataFrame, shapes: Shapes) -> go.Figure:
    """Choropleth of people per primary-care provider; counties without a provider or people in
    their own colours; shortage screens as markers (one legend entry per discipline)."""
    drawn = access.filter(pl.col("county_fips").is_in(list(shapes.county_ids)))
    has_people = pl.col("total_population").fill_null(0) > 0
    rated = drawn.filter(pl.col("people_per_primary_care_provider").is_not_null())
    no_provider = drawn.filter(has_people & pl.col("people_per_primary_care_provider").is_null())
    no_people = drawn.filter(~has_people)
    figure = go.Figure()
    figure.add_trace(_ratio_trace(rated, _outlines(shapes, rated)))
    figure.add_trace(_flat_trace(no_provider, _outlines(shapes, no_provider), "No primary-care provider",
                                 NO_PROVIDER_COLOR))
    figure.add_trace(_flat_trace(no_people, _outlines(shapes, no_people), "No population estimate", NO_PEOPLE_COLOR))
    figure.add_trace(_state_outlines(shapes))  # last: state borders drawn over the county fills
    points = shapes.points()
    for column, label, color, visible in SHORTAGES:
        figure.add_trace(_shortage_markers(drawn.filter(pl.col(column).fill_null(False)), points, label,
                                           color, visible))
    figure.update_geos(scope="usa", projection_type="albers usa", visible=False, showsubunits=False,
                       showland=False, showlakes=False, showcoastlines=False, showframe=False,
                       bgcolor="rgba(0,0,0,0)")
    figure.update_layout(template=TEMPLATE, height=620, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                         legend={"orientation": "h", "y": -0.02, "x": 0.5, "xanchor": "center"})
    return figure


def _outlines(shapes: Shapes, frame: pl.DataFrame) -> dict[str, Any]:
    """Only the trace's own counties: each outline is written into the page once."""
    wanted = set(frame["county_fips"].to_list())
    return {"type": "FeatureCollection", "features": [
        {"type": f["type"], "id": f["id"], "geometry": f["geometry"]}
        for f in shapes.counties["features"] if f["id"] in wanted
    ]}


def _hover_data(frame: pl.DataFrame) -> list[list[Any]]:
    shortage = frame["is_primary_care_shortage"].map_elements(
        lambda met: "met" if met else "not met", return_dtype=pl.String).fill_null("not screened")
    return [list(row) for row in zip(frame["county_name"], frame["state_code"], frame["primary_care_providers"],
                                     frame["total_population"], shortage, strict=True)]


_HOVER = ("<b>%{customdata[0]}</b> (%{customdata[1]})<br>Population: %{customdata[3]:,.0f}"
          "<br>Primary-care providers: %{customdata[2]:,.1f}<br>Primary-care shortage screen: %{customdata[4]}")


def _ratio_trace(rated: pl.DataFrame, counties: dict[str, Any]) -> go.Choropleth:
    values = rated["people_per_primary_care_provider"].to_list()
    return go.Choropleth(
        name="People per primary-care provider", geojson=counties, locations=rated["county_fips"].to_list(),
        z=values, zmin=0, zmax=color_cap(values), colorscale=RATIO_SCALE, marker_line_width=0.2,
        marker_line_color="#ffffff", customdata=_hover_data(rated), showlegend=False,
        colorbar={"title": {"text": "People per<br>primary-care<br>provider"}, "thickness": 14, "len": 0.6},
        hovertemplate=_HOVER + "<br>People per primary-care provider: %{z:,.0f}<extra></extra>",
    )


def _flat_trace(frame: pl.DataFrame, counties: dict[str, Any], label: str, color: str) -> go.Choropleth:
    return go.Choropleth(
        name=label, geojson=counties, locations=frame["county_fips"].to_list(), z=[1] * frame.height,
        colorscale=[[0, color], [1, color]], showscale=False, showlegend=True, marker_line_width=0.2,
        marker_line_color="#ffffff", customdata=_hover_data(frame), hovertemplate=_HOVER + f"<extra>{label}</extra>",
    )


def _state_outlines(shapes: Shapes) -> go.Choropleth:
    ids = [feature["id"] for feature in shapes.states["features"]]
    return go.Choropleth(
        name="States", geojson=shapes.states, locations=ids, z=[0] * len(ids), showscale=False,
        showlegend=False, colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], hoverinfo="skip",
        marker_line_color="#7f7f7f", marker_line_width=0.6,
    )


def _shortage_markers(frame: pl.DataFrame, points: dict[str, tuple[float, float]], label: str, color: str,
                      visible: bool | str) -> go.Scattergeo:
    fips = frame["county_fips"].to_list()
    return go.Scattergeo(
        name=f"{label} ({len(fips):,})", lon=[points[f][0] for f in fips], lat=[points[f][1] for f in fips],
        mode="markers", marker={"symbol": "circle-open", "size": 5, "color": color, "line": {"width": 1.2}},
        text=[f"{n} ({s})" for n, s in zip(frame["county_name"], frame["state_code"], strict=True)],
        hovertemplate="%{text}<extra>" + label + "</extra>", visible=visible,
    )


def state_density(states: pl.DataFrame) -> go.Figure:
    """States ranked by provider density; a menu switches the measure (each re-ranks)."""
    ranked = [_ranked(states, column) for column, _label in DENSITY_METRICS]
    first = ranked[0]
    figure = go.Figure(go.Bar(
        orientation="h", x=first["x"], y=first["y"], marker_color=first["color"], customdata=first["customdata"],
        texttemplate="%{x:,.1f}", textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:,.1f} per 100,000<br>Population: %{customdata[0]:,.0f}"
                      "<br>Census region: %{customdata[1]}<extra></extra>",
    ))
    buttons = [
        {"label": label, "method": "update",
         "args": [{key: [data[key]] for key in ("x", "y", "customdata")} | {"marker.color": [data["color"]]},
                  {"xaxis.title.text": label}]}
        for (_column, label), data in zip(DENSITY_METRICS, ranked, strict=True)
    ]
    figure.update_layout(
        template=TEMPLATE, height=max(360, 18 * states.height + 120), margin={"l": 10, "r": 40, "t": 50, "b": 40},
        xaxis={"title": {"text": DENSITY_METRICS[0][1]}}, yaxis={"autorange": "reversed", "dtick": 1},
        updatemenus=[{"buttons": buttons, "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}],
    )
    return figure


def _ranked(states: pl.DataFrame, column: str) -> dict[str, list[Any]]:
    frame = states.sort(column, descending=True, nulls_last=True)
    regions = frame["census_region_name"].to_list()
    return {
        "x": frame[column].to_list(),
        "y": [f"{name} ({code})" for name, code in zip(frame["state_name"], frame["state_code"], strict=True)],
        "customdata": [[pop, region or "outside the 4 regions"]
                       for pop, region in zip(frame["total_population"], regions, strict=True)],
        "color": [REGION_COLORS.get(region or "", "#7f7f7f") for region in regions],
    }


def largest_gaps(gaps: pl.DataFrame, top: int = 8) -> pl.DataFrame:
    """Per Census region, the ``top`` specialties (NUCC classifications) furthest below the
    national rate, in providers short (``provider_gap`` > 0)."""
    return (
        gaps.filter((pl.col("geography_level") == "region") & (pl.col("specialty_kind") == "classification")
                    & (pl.col("provider_gap") > 0))
        .sort(["geography_code", "provider_gap"], descending=[False, True])
        .group_by("geography_code", maintain_order=True).head(top)
    )


def specialty_gaps(gaps: pl.DataFrame, top: int = 8) -> go.Figure:
    largest = largest_gaps(gaps, top)
    regions = largest.select("geography_code", "geography_name").unique(maintain_order=True).rows()
    if not regions:
        figure = go.Figure()
        figure.add_annotation(text="No specialty is below the national rate in any region.", showarrow=False)
        return figure.update_layout(template=TEMPLATE, height=200, xaxis_visible=False, yaxis_visible=False)
    rows = math.ceil(len(regions) / 2)
    figure = make_subplots(rows=rows, cols=2, subplot_titles=[name for _code, name in regions],
                           horizontal_spacing=0.32, vertical_spacing=0.12)
    for index, (code, name) in enumerate(regions):
        part = largest.filter(pl.col("geography_code") == code)
        figure.add_trace(go.Bar(
            orientation="h", name=name, x=part["provider_gap"].to_list(), y=part["specialty_name"].to_list(),
            marker_color=REGION_COLORS.get(name, "#7f7f7f"), showlegend=False, texttemplate="%{x:,.0f}",
            customdata=part.select("providers", "expected_providers", "providers_per_100k",
                                   "national_providers_per_100k").rows(),
            hovertemplate="<b>%{y}</b><br>Short by %{x:,.0f} providers<br>Providers: %{customdata[0]:,.0f}"
                          " (at the national rate: %{customdata[1]:,.0f})<br>%{customdata[2]:,.1f} per 100,000"
                          " vs %{customdata[3]:,.1f} nationally<extra>" + name + "</extra>",
        ), row=index // 2 + 1, col=index % 2 + 1)
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(title_text="providers short of the national rate")
    return figure.update_layout(template=TEMPLATE, height=330 * rows, margin={"l": 10, "r": 20, "t": 40, "b": 40})
