"""What a file drawn from a county supply is: the record kept with it (the generator's summary,
the demo's console and latest.json, the report). The sentence people read is
careatlas.report.labels.describe_synthetic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from careatlas.synth.supply_model import KIND_NAMES

if TYPE_CHECKING:
    from careatlas.synth.runner import Plan
    from careatlas.synth.supply import Supply


def provenance(supply: Supply, plan: Plan, full_density: int) -> dict[str, Any]:
    """What a file drawn from ``supply`` is, for the summary, the demo and latest.json."""
    states = plan.supply.states if plan.supply else None
    expected = dict(zip(KIND_NAMES, (round(float(v)) for v in supply.counts.sum(axis=0)), strict=True))
    return {
        "synthetic": True, "generator": "careatlas.synth (docs/synthetic-nppes.md)", "seed": plan.seed,
        "states": list(states) if states else "all", "counties": len(supply.fips),
        "ahrf_year": supply.ahrf_year, "rows": plan.rows, "full_density_rows": full_density,
        "expected_individual_providers": expected,
        "drawn_from": supply.sources,
    }
