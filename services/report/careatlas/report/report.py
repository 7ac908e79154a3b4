"""The analyst's report of one run: marts -> one self-contained HTML file (+ dbt docs beside it).

``write_report`` is what the CLI (``careatlas report``) and the demo call.
"""

from __future__ import annotations

import os
import uuid
from html import escape
from pathlib import Path

import polars as pl
import structlog

from careatlas.report import charts, labels, lineage, sections
from careatlas.report.data import RunMarts, load_marts
from careatlas.report.html import Section, render_page
from careatlas.report.provenance import Provenance, collect
from careatlas.report.sections import Markup
from careatlas.report.shapes import Shapes, load_shapes
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake, open_lake

log = structlog.get_logger(__name__)

TITLE = "CareAtlas: access to care by county"
OFF_PROJECTION_STATES = {"60", "66", "69", "72", "78"}  # territories the Albers USA projection leaves out
SCREEN_NOTE = (
    "Shortage screens apply the HRSA population-to-provider ratios (42 CFR Part 5) to NPPES headcounts at "
    "practice addresses: a ratio-based screen, not an HPSA designation (HRSA counts FTEs over rational "
    "service areas)."
)


def write_report(
    lake: Lake | str | None = None,
    run_id: str = "latest",
    out: Path = Path("report.html"),
    *,
    settings: Settings | None = None,
    dbt_docs: bool = True,
    shapes_cache: Path | None = None,
    top_counties: int = 25,
) -> Path:
    """Write the report of ``run_id`` (``latest`` or a run id) to ``out``; dbt docs go to
    ``<out stem>-dbt-docs/`` beside it. Returns the report's path."""
    settings = settings or get_settings()
    the_lake = lake if isinstance(lake, Lake) else open_lake(lake, settings)
    out = Path(out).resolve()
    marts = load_marts(the_lake, run_id, optional=sections.page_marts())
    prov = collect(the_lake, marts.pointer)
    shapes = load_shapes(shapes_cache)
    docs = _lineage(the_lake, out, settings) if dbt_docs else "not generated (--no-dbt-docs)"
    page = build_page(marts, prov, shapes, lineage_cell=docs, top_counties=top_counties)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".tmp-{uuid.uuid4().hex}-{out.name}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)  # a reader (a browser refresh) never sees half a page
    log.info("report written", run_id=marts.run_id, path=str(out), bytes=len(page.encode()))
    return out


def _lineage(lake: Lake, out: Path, settings: Settings) -> str | Markup:
    folder = lineage.docs_dir_for(out)
    try:
        index = lineage.publish_dbt_docs(lake, folder, settings)
    except lineage.LineageUnavailable as error:
        log.warning("dbt docs not generated", reason=str(error))
        return f"dbt docs not generated: {error}"
    href = index.relative_to(out.parent).as_posix()
    return Markup(f'<a id="dbt-docs-link" href="{escape(href)}">dbt docs: models, tests and lineage</a>')


def build_page(marts: RunMarts, prov: Provenance, shapes: Shapes, *, lineage_cell: str | Markup,
               top_counties: int = 25) -> str:
    access = marts["fct_county_access"]
    page_sections = [
        Section("summary", "Summary", sections.kpis_html(access), note=SCREEN_NOTE),
        Section("county-map", "People per primary-care provider, by county",
                "", charts.county_map(access, shapes), note=map_note(access, shapes)),
        Section("state-density", "Provider density by state, ranked", "",
                charts.state_density(marts["fct_state_provider_density"]),
                note="Active individual providers by practice-location state. The menu switches the measure."),
        Section("specialty-gaps", "Largest specialty gaps by Census region", "",
                charts.specialty_gaps(marts["fct_specialty_gaps"]),
                note="Providers a region would need to add to match the national rate (50 states and DC) for its "
                     "population, by NUCC classification of the primary taxonomy."),
        Section("underserved", f"Top {top_counties} underserved counties",
                sections.underserved_html(marts["fct_underserved_counties"], top_counties),
                note="Ranked by the composite score of fct_underserved_counties (shortage screens, provider "
                     "scarcity, demographic need; docs/marts.md). Screens: PC primary care, D dental, "
                     "MH mental health."),
        *_added_sections(marts, shapes, listed_counties(marts, top_counties)),
        Section("provenance", "Provenance", sections.provenance_html(prov, lineage=lineage_cell)),
    ]
    demographics = labels.products(marts.pointer.get("inputs") or {}) or "?"
    subtitle = (f"Run {marts.run_id}{'' if marts.is_latest else ' (not the latest)'} · built {prov.built_at or '?'}"
                f" · NPPES {_releases(prov)} · demographics {demographics}")
    if synthetic := marts.pointer.get("synthetic_nppes"):  # the demo's generated file (synth/provenance.py)
        subtitle += f" · SYNTHETIC NPPES: {labels.describe_synthetic(synthetic)}"
    return render_page(TITLE, subtitle, page_sections)


def _added_sections(marts: RunMarts, shapes: Shapes, listed: list[str]) -> list[Section]:
    """The sections other modules registered (sections.register_section) whose marts the run has."""
    added = []
    for spec in sections.page_sections():
        if not all(name in marts.frames for name in spec.marts):
            continue
        if spec.sections is not None:
            added.extend(spec.sections(marts.frames, shapes, listed))
            continue
        assert spec.render is not None  # a section renders itself, or adds whole sections
        body, note = spec.render({name: marts[name] for name in spec.marts})
        added.append(Section(spec.anchor, spec.title, body, note=note))
    return added


def listed_counties(marts: RunMarts, top: int) -> list[str]:
    """The counties the report lists: the top of the underserved ranking."""
    ranked = marts["fct_underserved_counties"].filter(pl.col("underserved_rank").is_not_null())
    return ranked.sort("underserved_rank").head(top)["county_fips"].to_list()


def map_note(access: pl.DataFrame, shapes: Shapes) -> str:
    """What the map cannot show, said on the map."""
    missing = access.filter(~pl.col("county_fips").is_in(list(shapes.county_ids)))
    off = access.filter(pl.col("state_fips").is_in(list(OFF_PROJECTION_STATES)))
    parts = [f"Outlines: {shapes.source}."]
    if missing.height:
        names = ", ".join(f"{n} ({f})" for n, f in missing.select("county_name", "county_fips").head(12).rows())
        more = f" and {missing.height - 12} more" if missing.height > 12 else ""
        parts.append(f"{missing.height} counties have no 2016 outline and are not drawn: {names}{more}.")
    if off.height:
        parts.append(f"{off.height} counties of Puerto Rico and the island areas lie outside the map projection.")
    parts.append("Colour is capped at the 95th percentile; hover shows each county's value.")
    return " ".join(parts)


def _releases(prov: Provenance) -> str:
    full = [n.release for n in prov.nppes if n.dataset == "npidata"]
    weekly = [n.release for n in prov.nppes if n.dataset == "npidata_weekly"]
    text = full[0] if full else "?"
    return f"{text} + {len(weekly)} weekly" if weekly else text
