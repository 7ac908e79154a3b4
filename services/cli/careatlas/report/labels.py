"""Which Census product and vintage each demographic measure came from, named the same way in
the report, the demo and ``careatlas transform`` (a product that is not the ACS is never called
ACS). Read from the inputs of the ``latest`` pointer; no third-party imports, so the CLI can use
it without the report extra.

The build records its Census inputs either as a ``demographics`` mapping (measure -> product
and vintage) or as the lake keys it read (``reference/census/<product>/vintage=<YYYY>/...``,
``acs_year``); both are understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# product -> (name with the vintage, the measures it gives)
PRODUCTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pep_population": ("Census PEP Vintage {vintage}", ("total population",)),
    "pep_agesex": ("Census PEP Vintage {vintage} age/sex", ("population under 18, 18-64 and 65+",)),
    "saipe": ("Census SAIPE {vintage}", ("poverty rate", "median household income")),
    "acs5": ("ACS 5-year {vintage}", ("total population", "population under 18, 18-64 and 65+", "poverty rate",
                                      "median household income", "uninsured rate")),
}
_PRODUCT_KEY = re.compile(r"reference/census/(pep_population|pep_agesex|saipe)/vintage=(\d{4})/")
_ACS_KEY = re.compile(r"reference/census/acs5/year=(\d{4})/")


def product_label(product: str, vintage: object) -> str:
    return PRODUCTS[product][0].format(vintage=vintage)


def demographic_sources(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """(measure, product and vintage) for every demographic measure the build says it read."""
    recorded = inputs.get("demographics")
    if isinstance(recorded, dict) and recorded:
        return [(str(measure), _recorded_label(source)) for measure, source in recorded.items()]
    products = dict(_products_in(inputs))
    if not products and inputs.get("acs_year"):
        products["acs5"] = str(inputs["acs_year"])
    rows: dict[str, str] = {}
    # an offline product names its measures; the ACS fills only those no offline product gives
    for product in ("pep_population", "pep_agesex", "saipe", "acs5"):
        if product in products:
            for measure in PRODUCTS[product][1]:
                rows.setdefault(measure, product_label(product, products[product]))
    return list(rows.items())


def demographics_line(inputs: dict[str, Any]) -> str:
    """One line for a terminal: 'demographics: total population from Census PEP Vintage 2024; ...'."""
    by_label: dict[str, list[str]] = {}
    for measure, label in demographic_sources(inputs):
        by_label.setdefault(label, []).append(measure)
    shown = "; ".join(f"{', '.join(measures)} from {label}" for label, measures in by_label.items())
    return f"demographics: {shown or 'none recorded'}"


def _products_in(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if match := _PRODUCT_KEY.search(value):
            yield match[1], match[2]
        elif match := _ACS_KEY.search(value):
            yield "acs5", match[1]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _products_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _products_in(item)


def _recorded_label(source: Any) -> str:
    if isinstance(source, dict):
        product, vintage = source.get("product"), source.get("vintage")
        if product in PRODUCTS and vintage is not None:
            return product_label(str(product), vintage)
        return " ".join(str(v) for v in (product, vintage) if v is not None) or "unknown"
    return str(source)
