"""Report section "Checked against published references" (docs/validation.md): the run's county
figures against County Health Rankings (when the reference folder has its files), HRSA's 2020
primary-care HPSA designations and the AHRF, computed as ``careatlas validate`` computes them.
Registered in careatlas.report.sections."""

from __future__ import annotations

from html import escape
from typing import Any

import polars as pl
import structlog

from careatlas.report.data import MART_COLUMNS
from careatlas.report.sections import PageSection, _table, fmt_count, fmt_decimal, fmt_pct
from careatlas.shared.reference_folder import folders, reference_dir
from careatlas.shared.settings import get_settings
from careatlas.validate.run import FILE_ERRORS, ReferenceMissing, compare, reference_files

log = structlog.get_logger(__name__)

MARTS = {
    # the page's own columns (a wider set would replace the page's frame and fail on older runs)
    "fct_county_access": MART_COLUMNS["fct_county_access"],
    "fct_underserved_counties": MART_COLUMNS["fct_underserved_counties"],
    "fct_chr_provider_counts": ("county_fips", "measure", "chr_providers", "total_population",
                                "chr_people_per_provider", "nppes_full_release_date"),
}
HEADERS = ("Comparison", "Counties", "Spearman", "Median abs. difference", "Counties >20% apart",
           "Sensitivity", "Specificity", "ROC AUC")
NOTE = ("People per provider compared county by county; a synthetic run is not expected to agree. Spearman: rank "
        "correlation; difference: |ours - reference| / reference. HPSA: the primary-care screen against the 2020 "
        "designations (sensitivity, specificity) and the underserved score's ROC AUC. Per-county tables: "
        "careatlas validate RUN --against chr|hpsa|ahrf.")


def _row(label: str, figures: dict[str, Any]) -> tuple[str, ...]:
    def num(key: str, digits: int = 3) -> str:
        return fmt_decimal(figures.get(key), digits)

    return (label, fmt_count(figures.get("counties_compared")), num("spearman"),
            fmt_pct(figures.get("median_abs_pct_diff")), fmt_count(figures.get("counties_over_20pct")),
            num("sensitivity"), num("specificity"), num("auc"))


def _rows(against: str, summary: dict[str, Any]) -> list[tuple[str, ...]]:
    if against == "chr":
        rows = []
        for measure, figures in summary["measures"].items():
            rows.append(_row(f"CHR {measure} {figures['label']}: CHR-compatible", figures))
            if figures.get("careatlas"):
                rows.append(_row(f"CHR {measure}: CareAtlas's own definition", figures["careatlas"]))
        return rows
    if against == "hpsa":
        return [_row("HRSA primary-care HPSAs 2020: screen and score", summary)]
    return [_row(f"AHRF people per primary-care physician ({summary['ahrf_year']})", summary)]


def render(frames: dict[str, pl.DataFrame]) -> tuple[str, str | None]:
    settings = get_settings()
    found = folders(reference_dir(None, settings.reference_dir))
    release_dates = frames["fct_chr_provider_counts"]["nppes_full_release_date"].drop_nulls()
    release = str(release_dates.max()) if release_dates.len() else None
    # CareAtlas's own people per core mental-health provider, for CHR v062, rides on the score mart
    own = frames["fct_underserved_counties"].select("county_fips", "people_per_core_mental_health_provider")
    frames = {**frames, "fct_county_access": frames["fct_county_access"].join(own, on="county_fips", how="left")}
    rows: list[tuple[str, ...]] = []
    skipped: list[str] = []
    missed: dict[str, int] = {}  # hpsa: likely reason -> designated counties the screen misses
    for against in ("chr", "hpsa", "ahrf"):
        try:
            summary, _ = compare(against, reference_files(against, None, found), frames, release)
        except (ReferenceMissing, *FILE_ERRORS) as error:
            log.info("report comparison skipped", against=against, reason=str(error))
            skipped.append(f"{against}: {error}")
            continue
        rows += _rows(against, summary)
        missed = summary.get("missed_by_reason", missed)
    body = _table("validation-figures", HEADERS, rows)
    if missed:
        items = "".join(f"<li>{fmt_count(n)}: {escape(reason)}</li>" for reason, n in missed.items())
        body += f'<p>Designated counties the screen misses, by likely reason:</p><ul id="hpsa-missed">{items}</ul>'
    if skipped:
        body += "".join(f'<p class="note skipped">Not compared: {escape(text)}</p>' for text in skipped)
    return body, NOTE


SECTION = PageSection("validation", "Checked against published references", MARTS, render)
