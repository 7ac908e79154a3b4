"""Small marts in the documented shapes (dbt/models/marts/access), published the way
careatlas.transform.export publishes them: ``marts/run=<id>/<mart>.parquet``, the run's dbt
``run_results.json`` and ``marts/latest.json``."""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from careatlas.shared import layout
from careatlas.shared.storage import Lake

# fips, county, state, population, primary-care providers, shortage screens (pc, dental, mh)
COUNTIES = [
    ("50007", "Chittenden County, Vermont", "VT", 168_000.0, 60.0, (False, True, False)),
    ("50009", "Essex County, Vermont", "VT", 6_000.0, 0.0, (True, True, True)),
    ("36061", "New York County, New York", "NY", 1_600_000.0, 900.0, (False, False, True)),
    ("48301", "Loving County, Texas", "TX", 60.0, 0.0, (True, True, True)),
    ("72001", "Adjuntas Municipio, Puerto Rico", "PR", 18_000.0, 2.0, (True, False, False)),
    ("09110", "Capitol Planning Region, Connecticut", "CT", 970_000.0, 510.5, (False, False, False)),
    ("06037", "Los Angeles County, <California>", "CA", 9_800_000.0, 1_500.0, (True, False, False)),
]


def county_access() -> pl.DataFrame:
    rows = []
    for fips, name, state, population, pcp, (pc, dental, mh) in COUNTIES:
        rows.append({
            "county_fips": fips, "state_fips": fips[:2], "county_name": name, "state_code": state,
            "acs_year": 2023, "total_population": population, "poverty_rate_pct": 12.5,
            "individual_providers": pcp * 3 + 1.5, "primary_care_providers": pcp,
            "people_per_primary_care_provider": population / pcp if pcp else None,
            "dentists": 4.0, "core_mental_health_providers": 2.0, "is_high_need": fips == "50009",
            "people_per_core_mental_health_provider": population / 2.0,  # read by the validation section
            "is_primary_care_shortage": pc, "is_dental_shortage": dental, "is_mental_health_shortage": mh,
        })
    return pl.DataFrame(rows)


def state_density() -> pl.DataFrame:
    states = [("50", "VT", "Vermont", "Northeast", 643_000.0, 61.0), ("36", "NY", "New York", "Northeast",
              19_600_000.0, 80.5), ("48", "TX", "Texas", "South", 29_500_000.0, 55.25),
              ("72", "PR", "Puerto Rico", None, 3_200_000.0, None)]
    return pl.DataFrame([{
        "state_fips": fips, "state_code": code, "state_name": name, "census_region_name": region,
        "census_division_name": None, "acs_year": 2023, "total_population": population,
        "individual_providers": 1000, "individual_providers_per_100k": 300.0 + index,
        "people_per_individual_provider": 333.3, "primary_care_providers_per_100k": pcp,
        "dentists_per_100k": 60.0 - index, "core_mental_health_providers_per_100k": 120.0,
        "psychiatrists_per_100k": 10.0 * index,
    } for index, (fips, code, name, region, population, pcp) in enumerate(states)])


def specialty_gaps() -> pl.DataFrame:
    rows = []
    gaps = {"1": ("Northeast", [120.0, 80.0, -40.0, 5.0]), "3": ("South", [900.0, -10.0, 300.0, 1.0])}
    specialties = ["Family Medicine", "Dentist", "Psychologist", "Pediatrics"]
    for code, (region, values) in gaps.items():
        for specialty, gap in zip(specialties, values, strict=True):
            rows.append(_gap_row("region", code, region, "classification", specialty, gap))
        rows.append(_gap_row("region", code, region, "group", "primary_care", 5000.0))
        rows.append(_gap_row("division", code, f"Division {code}", "classification", "Dentist", 7000.0))
    return pl.DataFrame(rows)


def _gap_row(level: str, code: str, name: str, kind: str, specialty: str, gap: float) -> dict[str, Any]:
    return {
        "geography_level": level, "geography_code": code, "specialty_kind": kind, "specialty_name": specialty,
        "geography_name": name, "total_population": 1e6, "providers": 100.0, "providers_per_100k": 10.0,
        "national_providers_per_100k": 12.0, "expected_providers": 100.0 + gap, "provider_gap": gap,
        "rate_ratio_to_national": 0.8,
    }


def underserved() -> pl.DataFrame:
    rows = []
    ranked = sorted(COUNTIES, key=lambda c: (-sum(c[5]), -c[3]))
    for rank, (fips, name, state, population, pcp, (pc, dental, mh)) in enumerate(ranked, start=1):
        rows.append({
            "county_fips": fips, "state_fips": fips[:2], "underserved_rank": rank, "county_name": name,
            "state_code": state, "underserved_score": 90.0 - rank * 7.25, "shortage_screens_score": 0.5,
            "provider_scarcity_score": 0.5, "demographic_need_score": 0.5,
            "shortage_screens_met": int(pc) + int(dental) + int(mh), "total_population": population,
            "poverty_rate_pct": 10.0 + rank, "uninsured_rate_pct": 5.55, "population_65_plus_pct": None,
            "median_household_income_usd": 50_000.0,
            "people_per_primary_care_provider": population / pcp if pcp else None,
            "people_per_dentist": population / 4, "people_per_core_mental_health_provider": None,
            "is_high_need": False, "is_primary_care_shortage": pc, "is_dental_shortage": dental,
            "is_mental_health_shortage": mh,
        })
    return pl.DataFrame(rows)


def all_marts() -> dict[str, pl.DataFrame]:
    return {"fct_county_access": county_access(), "fct_state_provider_density": state_density(),
            "fct_specialty_gaps": specialty_gaps(), "fct_underserved_counties": underserved()}


RUN_RESULTS = {
    "metadata": {"dbt_version": "1.11.16", "generated_at": "2025-01-13T10:00:00Z"},
    "elapsed_time": 12.5,
    "results": [
        {"unique_id": "model.careatlas.fct_county_access", "status": "success"},
        {"unique_id": "test.careatlas.not_null_fct_county_access_county_fips.abc", "status": "pass"},
        {"unique_id": "test.careatlas.unique_fct_county_access_county_fips.def", "status": "pass"},
        {"unique_id": "test.careatlas.row_count_reconciles_fct.ghi", "status": "warn", "failures": 3,
         "message": "Got 3 results, configured to warn if != 0"},
    ],
}


def publish(lake: Lake, run_id: str, frames: dict[str, pl.DataFrame] | None = None, *, latest: bool = True,
            inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    frames = all_marts() if frames is None else frames
    keys = {}
    for name, frame in frames.items():
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        keys[name] = f"{layout.marts_run(run_id)}/{name}.parquet"
        lake.put_bytes(keys[name], buffer.getvalue())
    results_key = f"runs/{run_id}/dbt/run_results.json"
    lake.write_json(results_key, RUN_RESULTS)
    pointer = {
        "run_id": run_id, "built_at": "2025-01-13T10:00:00+00:00", "marts": keys,
        "rows": {name: frame.height for name, frame in frames.items()},
        "tests": {"pass": 2, "warn": 1}, "warnings": ["row_count_reconciles_fct.ghi"],
        "dbt_run_results": results_key,
        "inputs": inputs if inputs is not None else {
            "nppes_full": {"release": "2025-01-12", "version": "v1", "rows": 9_400_000},
            "nppes_weekly": [{"release": "2025-01-19", "version": "v2", "rows": 50_000}],
            "acs_year": 2023, "nucc": "reference/nucc_taxonomy/version=25.1/data.parquet",
            "hud_zip_county": "geographic/hud_zip_county/vintage=032023/data.parquet",
            "nppes_deactivations": None,
        },
    }
    if latest:
        lake.write_json(layout.marts_latest(), pointer)
    return pointer
