"""Report section "Where providers practise and what closes a gap" (docs/access.md): what the
allocation mode changes (fct_location_allocation_summary), the practitioners needed to reach the
HRSA ratio in the counties screened short for primary care, with and without NPs and PAs, FTE
-weighted, and the safety-net organisations there (fct_county_practitioners_needed,
fct_county_safety_net). Registered in careatlas.report.sections."""

from __future__ import annotations

from html import escape
from typing import Any

import polars as pl

from careatlas.report.sections import PageSection, fmt_count, fmt_decimal, fmt_pct

SUMMARY = "fct_location_allocation_summary"
NEEDED, SAFETY_NET = "fct_county_practitioners_needed", "fct_county_safety_net"
MARTS = {
    SUMMARY: ("location_allocation", "active_individual_providers", "providers_with_secondary_locations",
              "providers_changed", "providers_changed_pct", "counties_changed", "clinicians_moved"),
    NEEDED: ("county_fips", "county_name", "state_code", "discipline", "measure", "total_population", "providers",
             "providers_fte", "practitioners_needed", "practitioners_needed_fte", "is_discipline_shortage",
             "is_short_at_this_supply"),
    SAFETY_NET: ("county_fips", "fqhcs", "rural_health_clinics", "community_mental_health_centers",
                 "safety_net_organisations"),
}
MODE_WORDS = {"primary": "at their primary practice address",
              "all_locations": "in equal shares over all their practice locations (primary and secondary)"}
TOTAL_MEASURES = (("primary_care", "primary care (MD/DO)"),
                  ("primary_care_with_np_pa", "primary care with NPs and PAs"),
                  ("dental", "dental"), ("core_mental_health", "core mental health"))
NOTE = ("Practitioners needed = population / ratio threshold - current supply, at least 0 (HRSA's "
        "\"practitioners needed\", 42 CFR Part 5 App. A-C; thresholds in seed hrsa_shortage_thresholds, the "
        "high-need ones where the county is high need). FTE: residents 0.1, records not updated for 10+ years "
        "0.5 (seed supply_fte_weights). Safety-net organisations by primary taxonomy: FQHC 261QF0400X, rural "
        "health clinic 261QR1300X, community mental health center 261QM0801X. A screen on NPPES headcounts, "
        "not an HPSA designation.")


def allocation_html(summary: pl.DataFrame) -> str:
    row = summary.row(0, named=True)
    other = "primary" if row["location_allocation"] == "all_locations" else "all_locations"
    return (
        f'<p id="allocation-summary" data-mode="{escape(row["location_allocation"])}">'
        f"This run counts providers {escape(MODE_WORDS[row['location_allocation']])}. "
        f"{fmt_count(row['providers_with_secondary_locations'])} of {fmt_count(row['active_individual_providers'])} "
        f"active individual providers list a secondary practice location (NPPES pl_pfile); counting them "
        f"{escape(MODE_WORDS[other])} would change the county shares of {fmt_count(row['providers_changed'])} "
        f"providers ({fmt_pct(row['providers_changed_pct'])}) and the provider counts of "
        f"{fmt_count(row['counties_changed'])} counties ({fmt_decimal(row['clinicians_moved'])} clinicians counted "
        "in other counties).</p>"
    )


def totals_html(needed: pl.DataFrame) -> str:
    short = needed.filter(pl.col("is_discipline_shortage").fill_null(False))
    rows = []
    for measure, label in TOTAL_MEASURES:
        part = short.filter(pl.col("measure") == measure)
        still = part.filter(pl.col("is_short_at_this_supply").fill_null(False)).height
        rows.append(f'<tr data-measure="{measure}"><th>{escape(label)}</th>'
                    f'<td class="num">{fmt_count(part.height)}</td>'
                    f'<td class="num">{fmt_decimal(part["practitioners_needed"].sum())}</td>'
                    f'<td class="num">{fmt_decimal(part["practitioners_needed_fte"].sum())}</td>'
                    f'<td class="num">{fmt_count(still)}</td></tr>')
    head = ("<th>Measure</th><th>Counties screened short</th><th>Practitioners needed</th>"
            "<th>Needed, FTE-weighted</th><th>Still short at this supply</th>")
    return f'<table class="data" id="gap-totals"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


COUNTY_COLUMNS = (  # (column, header, formatter)
    ("county_name", "County", str), ("state_code", "State", str), ("total_population", "Population", fmt_count),
    ("providers", "Primary-care physicians", fmt_decimal), ("practitioners_needed", "Needed", fmt_decimal),
    ("practitioners_needed_fte", "Needed (FTE)", fmt_decimal),
    ("with_np_pa_needed", "Needed counting NPs/PAs", fmt_decimal),
    ("fqhcs", "FQHCs", fmt_count), ("rural_health_clinics", "Rural health clinics", fmt_count),
    ("community_mental_health_centers", "Mental health centers", fmt_count),
)


def counties_html(needed: pl.DataFrame, safety_net: pl.DataFrame, top: int = 15) -> str:
    with_np_pa = needed.filter(pl.col("measure") == "primary_care_with_np_pa").select(
        "county_fips", pl.col("practitioners_needed").alias("with_np_pa_needed"))
    rows = (needed.filter((pl.col("measure") == "primary_care") & pl.col("is_discipline_shortage").fill_null(False))
            .join(with_np_pa, on="county_fips", how="left").join(safety_net, on="county_fips", how="left")
            .sort(["practitioners_needed", "county_fips"], descending=[True, False]).head(top))
    head = "".join(f"<th>{escape(h)}</th>" for _c, h, _f in COUNTY_COLUMNS)
    body = "".join(f'<tr data-fips="{escape(r["county_fips"])}">{_cells(r)}</tr>' for r in rows.iter_rows(named=True))
    return f'<table class="data" id="gap-counties"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cells(row: dict[str, Any]) -> str:
    return "".join(
        f'<td data-col="{column}"{"" if formatter is str else NUM}>'
        f'{escape("—" if row[column] is None else formatter(row[column]))}</td>'
        for column, _header, formatter in COUNTY_COLUMNS)


NUM = ' class="num"'


def render(frames: dict[str, pl.DataFrame]) -> tuple[str, str]:
    body = (allocation_html(frames[SUMMARY]) + "<h3>Practitioners needed in the counties screened short</h3>"
            + totals_html(frames[NEEDED])
            + "<h3>Counties screened short for primary care, most practitioners needed first</h3>"
            + counties_html(frames[NEEDED], frames[SAFETY_NET]))
    return body, NOTE


SECTION = PageSection("closing-gaps", "Where providers practise and what closes a gap", MARTS, render)
