"""One self-contained HTML page: plotly.js from the installed ``plotly`` package inlined, figures
as JSON, no request leaves the file (no CDN, no fonts, no map tiles).

plotly.js asks for a base-map topojson (``usa_110m``) from its CDN whenever a geo trace has a
``locationmode``, even with every base layer off. The page pre-seeds ``PlotlyGeoAssets`` with an
empty topology under that name, which plotly.js takes as already fetched; county and state
outlines come from our own GeoJSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

EMPTY_TOPOLOGY = {"type": "Topology", "objects": {}, "arcs": []}
STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1a1a1a; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; } h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.subtitle, .note { color: #555; } .note { font-size: 13px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.kpi { background: #f4f6f8; border-radius: 6px; padding: 10px 14px; min-width: 150px; flex: 1; }
.kpi .value { display: block; font-size: 24px; font-weight: 600; } .kpi .label { font-size: 13px; color: #444; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.data th, table.data td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { text-align: left; padding: 2px 12px 2px 0; font-weight: 600; vertical-align: top; }
table.facts td { padding: 2px 0; word-break: break-all; }
.badge { background: #08306b; color: #fff; border-radius: 3px; padding: 0 4px; font-size: 11px; }
.figure { width: 100%; }
"""
BOOT = """
(function () {
  var pending = [];
  document.querySelectorAll("script[data-figure]").forEach(function (node) {
    var spec = JSON.parse(node.textContent);
    var target = document.getElementById(node.getAttribute("data-figure"));
    pending.push(Plotly.newPlot(target, spec.data, spec.layout, {responsive: true, displaylogo: false}));
  });
  Promise.all(pending).then(
    function () { document.body.setAttribute("data-report-ready", "true"); },
    function (error) { document.body.setAttribute("data-report-ready", "error"); console.error(error); });
})();
"""


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    body: str  # trusted HTML (built from escaped parts)
    figure: go.Figure | None = None
    note: str | None = None  # plain text


def render_page(title: str, subtitle: str, sections: list[Section]) -> str:
    nav = " · ".join(f'<a href="#{s.anchor}">{escape(s.title)}</a>' for s in sections)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style>",
        f"<script>window.PlotlyGeoAssets = {{topojson: {{usa_110m: {json.dumps(EMPTY_TOPOLOGY)}}}}};</script>",
        f"<script>{get_plotlyjs()}</script>",
        "</head><body>",
        f'<header><h1>{escape(title)}</h1><div class="subtitle">{escape(subtitle)}</div><nav>{nav}</nav></header>',
        "<main>",
        *(_section(s) for s in sections),
        "</main>",
        f"<script>{BOOT}</script>",
        "</body></html>",
    ])


def _section(section: Section) -> str:
    parts = [f'<section id="{section.anchor}"><h2>{escape(section.title)}</h2>']
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    parts.append(section.body)
    if section.figure is not None:
        figure_id = f"{section.anchor}-figure"
        parts.append(f'<div class="figure" id="{figure_id}"></div>')
        spec = figure_json(section.figure)
        parts.append(f'<script type="application/json" data-figure="{figure_id}">{spec}</script>')
    parts.append("</section>")
    return "\n".join(parts)


def figure_json(figure: go.Figure) -> str:
    """The figure as JSON that is safe inside a <script> element."""
    text: str = pio.to_json(figure, validate=False, pretty=False)
    # "</" would end the script element; "\\/" is the same string to JSON.parse
    return text.replace("</", "<\\/")
