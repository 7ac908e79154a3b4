"""Report section "Access by rurality" (docs/validation.md): providers per 100,000 people and the
share of people in shortage-screened counties, metro vs nonmetro and by RUCC 2023 code
(fct_rurality_access). Registered in careatlas.report.sections."""

from __future__ import annotations

import polars as pl

from careatlas.report.sections import PageSection, _table, fmt_count, fmt_decimal, fmt_pct

MART = "fct_rurality_access"
MARTS = {MART: ("rurality_level", "rurality_group", "counties", "total_population", "clinicians_per_100k",
                "primary_care_providers_per_100k", "core_mental_health_providers_per_100k",
                "primary_care_shortage_population_pct", "mental_health_shortage_population_pct")}
HEADERS = ("Group", "Counties", "People", "Clinicians per 100k", "Primary-care physicians per 100k",
           "Core mental-health providers per 100k", "People in primary-care shortage counties",
           "People in mental-health shortage counties")
RUCC_WORDS = {"1": "metro, 1 million+", "2": "metro, 250,000-1 million", "3": "metro, under 250,000",
              "4": "nonmetro, urban 20,000+, adjacent", "5": "nonmetro, urban 20,000+, not adjacent",
              "6": "nonmetro, urban 5,000-20,000, adjacent", "7": "nonmetro, urban 5,000-20,000, not adjacent",
              "8": "nonmetro, urban under 5,000, adjacent", "9": "nonmetro, urban under 5,000, not adjacent"}
NOTE = ("Counties grouped by the USDA ERS Rural-Urban Continuum Code 2023 (1-3 metro, 4-9 nonmetro; 'adjacent' "
        "to a metro area). Providers are NPPES headcounts at practice ZIPs; shortage shares are of the ratio-based "
        "screens (42 CFR Part 5), not HPSA designations.")


def _label(level: str, group: str) -> str:
    if level == "rucc_2023":
        return f"RUCC {group} ({RUCC_WORDS[group]})" if group in RUCC_WORDS else "no RUCC code"
    return {"metro": "Metro", "nonmetro": "Nonmetro"}.get(group, "no RUCC code")


def render(frames: dict[str, pl.DataFrame]) -> tuple[str, str | None]:
    mart = frames[MART].sort("rurality_level", "rurality_group")
    rows = [
        (_label(r["rurality_level"], r["rurality_group"]), fmt_count(r["counties"]), fmt_count(r["total_population"]),
         fmt_decimal(r["clinicians_per_100k"]), fmt_decimal(r["primary_care_providers_per_100k"]),
         fmt_decimal(r["core_mental_health_providers_per_100k"]), fmt_pct(r["primary_care_shortage_population_pct"]),
         fmt_pct(r["mental_health_shortage_population_pct"]))
        for r in mart.iter_rows(named=True)
    ]
    return _table("rurality-access", HEADERS, rows), NOTE


SECTION = PageSection("rurality", "Access by rurality", MARTS, render)
