"""What a file drawn from a county supply is: the record kept with it (the generator's summary,
the demo's console and latest.json, the report) and the sentence people read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careatlas.synth.supply_model import KIND_NAMES

if TYPE_CHECKING:
    from careatlas.synth.runner import Plan
    from careatlas.synth.supply import Supply


def provenance(supply: Supply, plan: Plan, full_density: int) -> dict:
    """What a file drawn from ``supply`` is, for the summary, the demo and latest.json."""
    expected = dict(zip(KIND_NAMES, (round(float(v)) for v in supply.counts.sum(axis=0)), strict=True))
    return {
        "synthetic": True, "generator": "careatlas.synth (docs/synthetic-nppes.md)", "seed": plan.seed,
        "states": list(plan.supply.states) if plan.supply.states else "all", "counties": len(supply.fips),
        "ahrf_year": supply.ahrf_year, "rows": plan.rows, "full_density_rows": full_density,
        "expected_individual_providers": expected,
        "drawn_from": supply.sources,
    }


def describe(synthetic: dict) -> str:
    """One sentence: what the generated providers are and what they were drawn from."""
    where = "the whole country" if synthetic["states"] == "all" else ", ".join(synthetic["states"])
    density = ("at national density" if synthetic["rows"] == synthetic["full_density_rows"]
               else f"({synthetic['rows'] / synthetic['full_density_rows']:.1%} of national density)")
    return (f"{synthetic['rows']:,} generated NPPES rows for {where}, {synthetic['counties']:,} counties "
            f"{density}; not real providers. County supply drawn from HRSA AHRF people per primary-care "
            f"physician ({synthetic['ahrf_year']}), Census PEP V2024 population and USDA ERS RUCC 2023, "
            f"seed {synthetic['seed']} (docs/synthetic-nppes.md)."
            + ("" if synthetic["states"] == "all" else " National rates here are these states' together."))
