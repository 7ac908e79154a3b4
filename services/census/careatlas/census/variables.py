"""Which ACS 5-year variables we ask for, which vintages have them, and which endpoint serves them.

The default set feeds the county marts: total population, the 8 B01001 age cells that add up
to the population under 18 and the 12 that add up to 65+ (so the ACS gives the same age groups as
the offline PEP age/sex product; 18-64 is the rest), median household income, poverty count and universe (B17001),
and the uninsured count and universe (B27010, published from the 2012 vintage on).
"""

from __future__ import annotations

import re

MIN_YEAR, MAX_YEAR = 2009, 2024
GEOGRAPHIES = ("county", "state")
# the API limits 'get' to 50 names and NAME is one of them
MAX_VARIABLES_PER_CALL = 49

TOTAL_POPULATION = "B01003_001E"
# men under 5, 5-9, 10-14, 15-17 (003-006) and women (027-030)
UNDER_18 = [f"B01001_{n:03d}E" for n in (*range(3, 7), *range(27, 31))]
AGE_65_PLUS = [f"B01001_{n:03d}E" for n in (*range(20, 26), *range(44, 50))]
MEDIAN_HOUSEHOLD_INCOME = "B19013_001E"
POVERTY = ["B17001_001E", "B17001_002E"]  # universe, below poverty level
UNINSURED = ["B27010_001E", "B27010_017E", "B27010_033E", "B27010_050E", "B27010_066E"]
UNINSURED_FIRST_YEAR = 2012

DEFAULT_VARIABLES: list[str] = [
    TOTAL_POPULATION,
    *UNDER_18,
    *AGE_65_PLUS,
    MEDIAN_HOUSEHOLD_INCOME,
    *POVERTY,
    *UNINSURED,
]

# estimates and margins of detail (B/C), subject (S), profile (DP) and comparison (CP) tables
_VARIABLE = re.compile(r"^[A-Z]{1,2}\d{2,5}[A-Z]{0,2}(_C\d{2}|_\d{4})?_\d{3,4}[A-Z]{1,2}$")
_DATASETS = (("DP", "acs/acs5/profile"), ("CP", "acs/acs5/cprofile"), ("S", "acs/acs5/subject"))


def check_year(year: int) -> int:
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ValueError(f"ACS 5-year vintages run {MIN_YEAR}-{MAX_YEAR}, got {year}")
    return int(year)


def check_geo(geo: str) -> str:
    if geo not in GEOGRAPHIES:
        raise ValueError(f"geography must be one of {', '.join(GEOGRAPHIES)}, got {geo!r}")
    return geo


def check_variables(names: list[str]) -> list[str]:
    """Upper-cased, de-duplicated names in first-seen order; anything else is refused by name."""
    cleaned = list(dict.fromkeys(name.strip().upper() for name in names if name.strip()))
    bad = [name for name in cleaned if not is_variable(name)]
    if bad:
        raise ValueError(f"not ACS variable names: {', '.join(bad)} (expected e.g. B01003_001E)")
    return cleaned


def published(name: str, year: int) -> bool:
    """False for the default variables a vintage does not have (B27010 before 2012)."""
    return not (name in UNINSURED and year < UNINSURED_FIRST_YEAR)


def defaults(year: int) -> list[str]:
    """The default set as far as the vintage publishes it."""
    return [name for name in DEFAULT_VARIABLES if published(name, year)]


def wanted(year: int, variables: list[str] | None = None) -> list[str]:
    """What a request needs: the variables asked for, or the default set when none are named."""
    return defaults(year) if variables is None else check_variables(variables)


def dataset_of(name: str) -> str:
    """The endpoint below /{year}/ that serves a variable."""
    for prefix, dataset in _DATASETS:
        if name.startswith(prefix):
            return dataset
    return "acs/acs5"


def plan_batches(names: list[str]) -> list[tuple[str, list[str]]]:
    """(dataset, variables) calls of at most MAX_VARIABLES_PER_CALL names each."""
    by_dataset: dict[str, list[str]] = {}
    for name in names:
        by_dataset.setdefault(dataset_of(name), []).append(name)
    return [
        (dataset, group[start : start + MAX_VARIABLES_PER_CALL])
        for dataset, group in by_dataset.items()
        for start in range(0, len(group), MAX_VARIABLES_PER_CALL)
    ]


def survey_period(year: int) -> str:
    """The five collection years a 5-year vintage covers: 2022 -> '2018-2022'."""
    return f"{year - 4}-{year}"


def is_variable(name: str) -> bool:
    return bool(_VARIABLE.match(name))
