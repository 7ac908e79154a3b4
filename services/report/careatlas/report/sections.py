"""HTML fragments of the report that are tables and figures in words: headline numbers, the
underserved counties and the run's provenance. Every value is escaped; numbers are formatted
here only (one place to read how the page rounds).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl

from careatlas.report.provenance import Provenance

if TYPE_CHECKING:
    from careatlas.report.html import Section

Number = float | Decimal  # what a polars sum gives (Decimal for decimal columns); int is a float here
Formatter = Callable[[Any], str]  # a column's cell text: fmt_count, fmt_decimal, str, ...


def fmt_count(value: Number | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_decimal(value: Number | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_pct(value: Number | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def headline(access: pl.DataFrame) -> dict[str, tuple[str, Number]]:
    """The numbers at the top: {key: (label, value)}."""
    shortage = access.filter(pl.col("is_primary_care_shortage").fill_null(False))
    no_pcp = access.filter((pl.col("total_population").fill_null(0) > 0) & (pl.col("primary_care_providers") == 0))
    return {
        "counties": ("counties", access.height),
        "population": ("people in them", access["total_population"].sum()),
        "providers": ("individual providers placed in counties", access["individual_providers"].sum()),
        "pc_shortage_counties": ("counties meeting the primary-care shortage screen", shortage.height),
        "pc_shortage_population": ("people living in those counties", shortage["total_population"].sum()),
        "no_pcp_counties": ("counties with people and no primary-care provider", no_pcp.height),
    }


def kpis_html(access: pl.DataFrame) -> str:
    cards = "".join(
        f'<div class="kpi" data-kpi="{key}"><span class="value">{fmt_count(value)}</span>'
        f'<span class="label">{escape(label)}</span></div>'
        for key, (label, value) in headline(access).items()
    )
    return f'<div class="kpis">{cards}</div>'


UNDERSERVED_COLUMNS = (  # (mart column, header, formatter)
    ("underserved_rank", "Rank", fmt_count),
    ("county_name", "County", str),
    ("state_code", "State", str),
    ("underserved_score", "Score (0-100)", fmt_decimal),
    ("shortage_screens_met", "Screens met (of 3)", fmt_count),
    ("total_population", "Population", fmt_count),
    ("people_per_primary_care_provider", "People per primary-care provider", fmt_count),
    ("people_per_dentist", "People per dentist", fmt_count),
    ("people_per_core_mental_health_provider", "People per core mental-health provider", fmt_count),
    ("poverty_rate_pct", "Poverty", fmt_pct),
    ("uninsured_rate_pct", "Uninsured", fmt_pct),
    ("population_65_plus_pct", "Aged 65+", fmt_pct),
)
SCREEN_BADGES = (("is_primary_care_shortage", "PC"), ("is_dental_shortage", "D"),
                 ("is_mental_health_shortage", "MH"))


def underserved_html(underserved: pl.DataFrame, top: int = 25) -> str:
    rows = underserved.sort("underserved_rank").head(top)
    head = "".join(f"<th>{escape(header)}</th>" for _c, header, _f in UNDERSERVED_COLUMNS) + "<th>Screens</th>"
    body = "".join(_underserved_row(row) for row in rows.iter_rows(named=True))
    return (f'<table class="data" id="underserved-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _underserved_row(row: dict[str, Any]) -> str:
    cells = "".join(
        f'<td data-col="{column}"{_class(formatter)}>{escape(_text(formatter, row[column]))}</td>'
        for column, _header, formatter in UNDERSERVED_COLUMNS
    )
    badges = " ".join(f'<span class="badge" title="{column}">{label}</span>'
                      for column, label in SCREEN_BADGES if row[column])
    return f'<tr data-fips="{escape(row["county_fips"])}">{cells}<td data-col="screens">{badges}</td></tr>'


def _text(formatter: Formatter, value: Any) -> str:
    return "—" if value is None else formatter(value)


def _class(formatter: Formatter) -> str:
    return "" if formatter is str else ' class="num"'


def provenance_html(prov: Provenance, *, lineage: str) -> str:
    run = prov.run or {}
    facts = [
        ("Run", prov.run_id), ("Built at", prov.built_at), ("Run status", run.get("status")),
        ("Raw NPPES file", run.get("raw_key")), ("Raw file sha256", run.get("raw_sha256")),
        ("ACS 5-year vintage", prov.acs_year),
        *prov.references,
        ("dbt", _dbt_line(prov.dbt)), ("Lineage", lineage),
    ]
    return (
        _key_values("run-facts", facts)
        + "<h3>Demographics</h3>" + _table("demographic-sources", ("Measure", "Census product and vintage"),
                                           prov.demographics)
        + "<h3>NPPES releases read</h3>" + _nppes_table(prov)
        + "<h3>dbt tests</h3>" + _tests_html(prov)
        + "<h3>Mart row counts</h3>"
        + _table("mart-rows", ("Mart", "Rows"), [(name, fmt_count(rows)) for name, rows in prov.mart_rows.items()])
    )


def _dbt_line(dbt: dict[str, Any]) -> str | None:
    if not dbt:
        return None
    return (f"dbt {dbt.get('dbt_version')}: {dbt.get('nodes')} nodes in {fmt_decimal(dbt.get('elapsed_s'))} s,"
            f" results generated {dbt.get('generated_at')}")


def _nppes_table(prov: Provenance) -> str:
    headers = ("Dataset", "Release", "Version", "Rows read", "Rows published", "Rows quarantined", "Source file")
    rows = [(n.dataset, n.release, n.version, fmt_count(n.rows_read), fmt_count(n.rows_published),
             fmt_count(n.rows_quarantined), n.source_file) for n in prov.nppes]
    return _table("nppes-inputs", headers, rows)


def _tests_html(prov: Provenance) -> str:
    summary = ", ".join(f'<span data-status="{escape(s)}">{count:,} {escape(s)}</span>'
                        for s, count in sorted(prov.tests.items())) or "no test results recorded"
    warned = "".join(f"<li>{escape(name)}</li>" for name in prov.warnings)
    problems = _table("dbt-not-passed", ("Node", "Status", "Failures", "Message"),
                      [(n.name, n.status, n.failures, n.message) for n in prov.not_passed]) if prov.not_passed else ""
    return (f'<p id="dbt-tests">{summary}</p>' + (f"<p>Warnings:</p><ul>{warned}</ul>" if warned else "")
            + problems)


def _key_values(table_id: str, facts: list[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{_cell(v)}</td></tr>" for k, v in facts if v is not None)
    return f'<table class="facts" id="{table_id}">{rows}</table>'


def _table(table_id: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="data" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Markup):
        return str(value)
    return escape(str(value))


class Markup(str):
    """Trusted HTML (built here, escaped parts) that table cells keep as is."""


# ---------------------------------------------------------------- sections other modules add
@dataclass(frozen=True)
class PageSection:
    """A section a module adds to the page, before the provenance: the marts (and columns) it
    reads and how it renders them as (body HTML, note). Runs that published none of its marts
    (older runs) go without it."""

    anchor: str
    title: str
    marts: Mapping[str, tuple[str, ...]]
    render: Callable[[dict[str, pl.DataFrame]], tuple[str, str | None]] | None
    # or whole sections with figures: (all frames, county shapes, the listed counties' FIPS) -> html.Section list
    sections: Callable[..., list[Section]] | None = None


_REGISTERED: list[str] = []  # modules that define SECTION, imported when the page is built


def register_section(module: str) -> None:
    """Add ``module``'s ``SECTION`` (a PageSection) to the page. By name, so a section module
    can import the formatters here without an import cycle."""
    if module not in _REGISTERED:
        _REGISTERED.append(module)


def page_sections() -> list[PageSection]:
    return [importlib.import_module(name).SECTION for name in _REGISTERED]


def page_marts() -> dict[str, tuple[str, ...]]:
    """The marts the registered sections read, for careatlas.report.data.load_marts."""
    return {name: columns for section in page_sections() for name, columns in section.marts.items()}


register_section("careatlas.report.rurality")
register_section("careatlas.report.validation")
register_section("careatlas.report.access_trends")
register_section("careatlas.report.gaps")
