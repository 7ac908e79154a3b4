"""How many providers of each kind a county gets in the synthetic file: the model, no I/O.

Primary care follows the county's real AHRF figure (people per primary-care physician, so
population / ratio physicians); every other kind of provider is a national rate bent by the
county's own primary-care supply, its rurality (USDA ERS RUCC 2023) and a seeded county and state
variation, the way real county supply varies: rural counties have far fewer specialists and
psychiatrists, relatively more NPs and PAs, and mental-health supply differs a lot between
states. docs/synthetic-nppes.md gives the figures and where each comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# primary-care MD/DO codes, as dbt/seeds/specialty_group_codes.csv (42 CFR 5 App. A) lists them
PRIMARY_CARE_CODES = frozenset({"207Q00000X", "207QA0505X", "208D00000X", "207R00000X", "208000000X",
                                "207V00000X", "207VX0000X", "207VG0400X"})
_PSYCHIATRY_CODES = frozenset({"2084F0202X", "2084P0015X"})
_GENERAL_DENTISTS = frozenset({"122300000X", "1223G0001X", "1223P0221X"})
_MENTAL_HEALTH_PREFIXES = ("101", "102", "103", "104", "106", "364SP08")
AHRF_PRIMARY_CARE_PER_100K = 75.8  # AHRF: 253,985 primary-care physicians (CHR v004, 2026 release)


@dataclass(frozen=True)
class Kind:
    """One kind of individual provider and how its county rate varies.

    ``per_100k``: national rate of individual NPIs (NPPES-like headcount); ``elasticity``: exponent
    on the county's primary-care supply relative to the nation; ``by_rucc``: multiplier for RUCC
    1..9; ``county_sd`` / ``state_sd``: log-scale spread of the seeded county and state variation."""

    name: str
    per_100k: float
    elasticity: float
    by_rucc: tuple[float, ...]
    county_sd: float
    state_sd: float


_SPECIALIST_RUCC = (1.35, 1.05, 0.85, 0.6, 0.5, 0.35, 0.3, 0.18, 0.12)
KINDS = (
    Kind("primary_care", AHRF_PRIMARY_CARE_PER_100K, 1.0, (1.0,) * 9, 0.0, 0.0),  # from AHRF itself
    Kind("specialist", 180.0, 0.8, _SPECIALIST_RUCC, 0.25, 0.1),
    Kind("psychiatry", 14.0, 0.8, (1.5, 1.0, 0.75, 0.5, 0.4, 0.25, 0.2, 0.1, 0.08), 0.35, 0.2),
    Kind("np_pa", 140.0, 0.3, (0.9, 0.95, 1.0, 1.1, 1.1, 1.15, 1.15, 1.2, 1.2), 0.3, 0.15),
    Kind("mental_health", 318.0, 0.5, (1.2, 1.0, 0.9, 0.75, 0.7, 0.6, 0.55, 0.45, 0.4), 0.35, 0.3),
    Kind("dentist_general", 48.0, 0.4, (1.1, 1.0, 0.95, 0.85, 0.8, 0.7, 0.7, 0.6, 0.55), 0.25, 0.1),
    Kind("dentist_specialist", 12.0, 0.8, _SPECIALIST_RUCC, 0.3, 0.1),
    Kind("other", 1280.0, 0.2, (1.05, 1.0, 0.97, 0.92, 0.9, 0.85, 0.85, 0.8, 0.8), 0.15, 0.05),
)
KIND_NAMES = tuple(k.name for k in KINDS)


def kind_of_code(code: str) -> str:
    """The kind of provider a NUCC code stands for (by the code's NUCC grouping prefix)."""
    if code in PRIMARY_CARE_CODES:
        return "primary_care"
    if code.startswith("2084P08") or code in _PSYCHIATRY_CODES:
        return "psychiatry"
    if code == "363LP0808X" or code.startswith(_MENTAL_HEALTH_PREFIXES):
        return "mental_health"
    if code.startswith(("363L", "363A")):
        return "np_pa"
    if code.startswith(("1223", "125Q")):
        return "dentist_general" if code in _GENERAL_DENTISTS else "dentist_specialist"
    if code.startswith(("202", "204", "207", "208", "209")):
        return "specialist"
    return "other"


def _variation(rng: np.random.Generator, sd: float, n: int) -> np.ndarray:
    """Mean-one log-normal factors."""
    return np.exp(sd * rng.standard_normal(n) - sd * sd / 2)


def expected_counts(population: np.ndarray, primary_care: np.ndarray, rucc: np.ndarray, state: np.ndarray,
                    seed: int) -> np.ndarray:
    """Expected individual providers, counties x KINDS, for every county of the nation.

    ``primary_care``: expected primary-care physicians (population / AHRF ratio); ``rucc``: 1..9;
    ``state``: an integer per county. Other kinds are normalised over all the counties given, so
    the national rate stays ``per_100k`` whatever the county pattern."""
    rng = np.random.default_rng([seed, 0x5A11])
    rate = primary_care / np.maximum(population, 1.0) * 1e5
    relative = np.log(np.maximum(rate, 5.0) / AHRF_PRIMARY_CARE_PER_100K).clip(-2.5, 1.5)
    states = int(state.max()) + 1
    counts = np.zeros((len(population), len(KINDS)))
    counts[:, 0] = primary_care
    for column, kind in enumerate(KINDS[1:], start=1):
        shape = (np.exp(kind.elasticity * relative) * np.asarray(kind.by_rucc)[rucc - 1]
                 * _variation(rng, kind.state_sd, states)[state] * _variation(rng, kind.county_sd, len(population)))
        scale = kind.per_100k / 1e5 * population.sum() / (shape * population).sum()
        counts[:, column] = shape * population * scale
    return counts
