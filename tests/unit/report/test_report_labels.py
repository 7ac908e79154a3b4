"""The demographic sources as the build records them in latest.json, named for a reader."""

from __future__ import annotations

from careatlas.report import labels

OFFLINE = {
    "demographics": {
        "product": "census_offline",
        "acs_year": None,
        "vintages": {"pep_population": 2024, "pep_agesex": 2023, "saipe": 2023},
        "measures": {
            "total_population": {"product": "pep_population", "vintage": 2024,
                                 "source": "Census PEP Vintage 2024 (July 1, 2024)"},
            "population_under_18": {"product": "pep_agesex", "vintage": 2023,
                                    "source": "Census PEP Vintage 2023 county characteristics (July 1, 2023)"},
            "population_65_plus": {"product": "pep_agesex", "vintage": 2023,
                                   "source": "Census PEP Vintage 2023 county characteristics (July 1, 2023)"},
            "poverty_rate_pct": {"product": "saipe", "vintage": 2023, "source": "Census SAIPE 2023"},
            "uninsured_rate_pct": {"product": None, "vintage": None, "source": None},
        },
    },
    "acs_year": None,
}


def test_each_measure_is_named_with_its_product_and_vintage() -> None:
    stored = {**OFFLINE, "demographics": {**OFFLINE["demographics"],
                                          "measures": dict(sorted(OFFLINE["demographics"]["measures"].items()))}}
    assert labels.demographic_sources(stored) == labels.demographic_sources(OFFLINE) == [
        ("total population", "Census PEP Vintage 2024 (July 1, 2024)"),
        ("population under 18", "Census PEP Vintage 2023 county characteristics (July 1, 2023)"),
        ("population 65+", "Census PEP Vintage 2023 county characteristics (July 1, 2023)"),
        ("poverty rate", "Census SAIPE 2023"),
        ("uninsured rate", "not available"),
    ]


def test_one_line_groups_measures_by_product_and_says_what_is_missing() -> None:
    assert labels.demographics_line(OFFLINE) == (
        "demographics: total population from Census PEP Vintage 2024 (July 1, 2024); population under 18, "
        "population 65+ from Census PEP Vintage 2023 county characteristics (July 1, 2023); poverty rate from "
        "Census SAIPE 2023; uninsured rate not available from these products"
    )
    assert labels.products(OFFLINE) == (
        "Census PEP Vintage 2024, Census PEP Vintage 2023 county characteristics, Census SAIPE 2023")


def test_a_pointer_from_before_the_offline_products_names_its_acs_vintage() -> None:
    assert labels.products({"acs_year": 2015}) == "ACS 5-year 2015"
    assert ("uninsured rate", "ACS 5-year 2015") in labels.demographic_sources({"acs_year": 2015})
    assert labels.demographic_sources({}) == [] and labels.demographics_line({}) == "demographics: none recorded"
