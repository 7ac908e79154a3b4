"""The report section on practice locations and closing gaps (careatlas.report.gaps)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import report_marts

from careatlas.report import gaps, sections
from careatlas.report.report import write_report
from careatlas.shared.storage import Lake

MEASURES = ("primary_care", "primary_care_with_np_pa", "dental", "core_mental_health", "psychiatry")


def _needed(fips: str, name: str, needed: dict[str, tuple[float, float, bool]], short: dict[str, bool]) -> list[dict]:
    discipline = {"primary_care": "primary_care", "primary_care_with_np_pa": "primary_care", "dental": "dental"}
    return [{"county_fips": fips, "county_name": name, "state_code": "VT", "measure": m,
             "discipline": discipline.get(m, "mental_health"), "total_population": 10_000.0, "providers": 2.0,
             "providers_fte": 1.6, "practitioners_needed": needed.get(m, (0.0, 0.0, False))[0],
             "practitioners_needed_fte": needed.get(m, (0.0, 0.0, False))[1],
             "is_short_at_this_supply": needed.get(m, (0.0, 0.0, False))[2],
             "is_discipline_shortage": short.get(discipline.get(m, "mental_health"), False)} for m in MEASURES]


def frames() -> dict[str, pl.DataFrame]:
    summary = pl.DataFrame([{"location_allocation": "primary", "active_individual_providers": 1000,
                             "providers_with_secondary_locations": 120, "providers_changed": 90,
                             "providers_changed_pct": 9.0, "counties_changed": 14, "clinicians_moved": 31.25}])
    needed = pl.DataFrame(
        _needed("50009", "Essex <County>", {"primary_care": (0.86, 1.26, True), "dental": (2.0, 2.0, True),
                                            "primary_care_with_np_pa": (0.0, 0.0, False)},
                {"primary_care": True, "dental": True})
        + _needed("50001", "Addison County", {"primary_care": (4.5, 4.9, True),
                                              "primary_care_with_np_pa": (1.5, 1.9, True)}, {"primary_care": True})
        + _needed("50007", "Chittenden County", {}, {})
    )
    safety = pl.DataFrame([{"county_fips": f, "fqhcs": q, "rural_health_clinics": r,
                            "community_mental_health_centers": 0, "safety_net_organisations": q + r}
                           for f, q, r in (("50009", 0, 1), ("50001", 2, 0), ("50007", 3, 0))])
    return {gaps.SUMMARY: summary, gaps.NEEDED: needed, gaps.SAFETY_NET: safety}


def test_section_is_registered_with_the_marts_it_reads() -> None:
    assert gaps.SECTION in sections.page_sections()
    assert sections.page_marts()[gaps.NEEDED] == gaps.MARTS[gaps.NEEDED]


def test_section_says_what_the_mode_changes_and_what_closes_the_gaps() -> None:
    body, note = gaps.render(frames())
    assert ('data-mode="primary">This run counts providers at their primary practice address. 120 of 1,000'
            in body)
    assert "change the county shares of 90 providers (9.0%) and the provider counts of 14 counties" in body
    assert ('<tr data-measure="primary_care"><th>primary care (MD/DO)</th><td class="num">2</td>'
            '<td class="num">5.4</td><td class="num">6.2</td><td class="num">2</td></tr>') in body
    # counting NPs and PAs, Essex no longer screens short: 1 of the 2 counties still does
    assert ('<tr data-measure="primary_care_with_np_pa"><th>primary care with NPs and PAs</th>'
            '<td class="num">2</td><td class="num">1.5</td><td class="num">1.9</td><td class="num">1</td>') in body
    rows = body.split('id="gap-counties"')[1]
    assert rows.index('data-fips="50001"') < rows.index('data-fips="50009"')  # most needed first
    assert 'data-fips="50007"' not in rows  # not screened short
    assert "Essex &lt;County&gt;" in rows and '<td data-col="fqhcs" class="num">2</td>' in rows
    assert "42 CFR Part 5" in note and "261QF0400X" in note


def test_page_has_the_section_only_when_the_run_published_its_marts(lake: Lake, tmp_path: Path,
                                                                    shapes_cache: Path) -> None:
    # the validation section (h-refs) reads one more column of fct_county_access than report_marts has
    access = report_marts.county_access().with_columns(people_per_core_mental_health_provider=pl.lit(None, pl.Float64))
    base = {**report_marts.all_marts(), "fct_county_access": access}
    report_marts.publish(lake, "run-without", base)
    page = write_report(lake, out=tmp_path / "a.html", dbt_docs=False, shapes_cache=shapes_cache).read_text()
    assert '<section id="closing-gaps">' not in page
    report_marts.publish(lake, "run-with", {**base, **frames()})
    page = write_report(lake, out=tmp_path / "b.html", dbt_docs=False, shapes_cache=shapes_cache).read_text()
    assert '<section id="closing-gaps">' in page and page.index("closing-gaps") < page.index('id="provenance"')
