"""Which Census product and vintage each demographic measure came from, named the same way in
the report, the demo and ``careatlas transform`` (a product that is not the ACS is never called
ACS), and what a synthetic NPPES file was drawn from. Read from the ``latest`` pointer; no
third-party imports, so the demo and ``careatlas transform`` print the same words as the report.

The build records ``inputs.demographics`` (careatlas.transform.demographics): the product
(``acs5`` or ``census_offline``) and, per measure, ``{"product", "vintage", "source"}`` where
``source`` is the label (e.g. 'Census SAIPE 2023') and a measure without a source has none.
Pointers written before that record only ``acs_year``: every measure then came from that ACS.
"""

from __future__ import annotations

import re
from typing import Any

# contract measure names (int_county_demographics) as a reader says them
MEASURE_NAMES = {
    "total_population": "total population",
    "population_under_18": "population under 18",
    "population_18_64": "population 18-64",
    "population_65_plus": "population 65+",
    "poverty_rate_pct": "poverty rate",
    "median_household_income_usd": "median household income",
    "uninsured_rate_pct": "uninsured rate",
}
NOT_AVAILABLE = "not available"
_LEGACY_ACS_MEASURES = ("total_population", "population_65_plus", "poverty_rate_pct", "median_household_income_usd",
                        "uninsured_rate_pct")


def demographic_sources(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """(measure, product and vintage) for every demographic measure of the build."""
    recorded = inputs.get("demographics")
    measures = recorded.get("measures") if isinstance(recorded, dict) else None
    if isinstance(measures, dict) and measures:
        # in the contract's column order (latest.json stores its keys sorted); unknown ones last
        order = list(MEASURE_NAMES)
        names = sorted(measures, key=lambda n: (order.index(n) if n in order else len(order), n))
        return [(MEASURE_NAMES.get(name, name), _label(measures[name])) for name in names]
    if inputs.get("acs_year"):
        return [(MEASURE_NAMES[name], f"ACS 5-year {inputs['acs_year']}") for name in _LEGACY_ACS_MEASURES]
    return []


def products(inputs: dict[str, Any]) -> str | None:
    """The products the demographics came from, for a one-line summary: 'Census PEP Vintage
    2024, Census PEP Vintage 2023 county characteristics, Census SAIPE 2023'."""
    labels = [re.sub(r"\s*\([^)]*\)$", "", label) for _, label in demographic_sources(inputs)]
    named = list(dict.fromkeys(label for label in labels if label != NOT_AVAILABLE))
    return ", ".join(named) or None


def demographics_line(inputs: dict[str, Any]) -> str:
    """One line for a terminal: 'demographics: total population from Census PEP Vintage 2024; ...'."""
    by_label: dict[str, list[str]] = {}
    for measure, label in demographic_sources(inputs):
        by_label.setdefault(label, []).append(measure)
    missing = by_label.pop(NOT_AVAILABLE, [])
    parts = [f"{', '.join(measures)} from {label}" for label, measures in by_label.items()]
    parts += [f"{', '.join(missing)} not available from these products"] if missing else []
    return f"demographics: {'; '.join(parts) or 'none recorded'}"


def _label(source: Any) -> str:
    if not isinstance(source, dict):
        return str(source) if source else NOT_AVAILABLE
    if source.get("source"):
        return str(source["source"])
    if source.get("product"):
        return " ".join(str(source[k]) for k in ("product", "vintage") if source.get(k) is not None)
    return NOT_AVAILABLE


def describe_synthetic(synthetic: dict[str, Any]) -> str:
    """One sentence: what the generated providers are and what they were drawn from (the record
    careatlas.synth.provenance writes, kept in latest.json as ``synthetic_nppes``)."""
    where = "the whole country" if synthetic["states"] == "all" else ", ".join(synthetic["states"])
    density = ("at national density" if synthetic["rows"] == synthetic["full_density_rows"]
               else f"({synthetic['rows'] / synthetic['full_density_rows']:.1%} of national density)")
    return (f"{synthetic['rows']:,} generated NPPES rows for {where}, {synthetic['counties']:,} counties "
            f"{density}; not real providers. County supply drawn from HRSA AHRF people per primary-care "
            f"physician ({synthetic['ahrf_year']}), Census PEP V2024 population and USDA ERS RUCC 2023, "
            f"seed {synthetic['seed']} (docs/synthetic-nppes.md)."
            + ("" if synthetic["states"] == "all" else " National rates here are these states' together."))
