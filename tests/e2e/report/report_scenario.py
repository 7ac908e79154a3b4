"""The e2e report scenario: eight real counties (real FIPS, so they have outlines), providers at
their ZIPs, two counties without a primary-care provider, published as the contracts say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fixtures.small_lake import County, Provider, SmallLake, make_npi

from careatlas.shared.storage import Lake

RUN_ID = "run-report-e2e"
RELEASE = "2025-01-12"
# (fips, ACS name, population, below poverty, 65+, uninsured, ZIP, USPS state)
COUNTIES = [
    ("50007", "Chittenden County, Vermont", 168_000, 15_000, 30_000, 8_000, "05401", "VT"),
    ("50023", "Washington County, Vermont", 59_000, 6_000, 12_000, 3_000, "05602", "VT"),
    ("50009", "Essex County, Vermont", 6_000, 1_200, 1_500, 500, "05905", "VT"),
    ("36061", "New York County, New York", 1_600_000, 250_000, 280_000, 90_000, "10001", "NY"),
    ("48201", "Harris County, Texas", 4_700_000, 750_000, 500_000, 900_000, "77002", "TX"),
    ("48301", "Loving County, Texas", 60, 5, 10, 5, "79754", "TX"),
    ("06037", "Los Angeles County, California", 9_800_000, 1_300_000, 1_500_000, 900_000, "90001", "CA"),
    ("17031", "Cook County, Illinois", 5_200_000, 700_000, 800_000, 500_000, "60601", "IL"),
]
# (ZIP, NUCC code, providers): Essex VT and Loving TX get none
PROVIDERS = [
    ("05401", "207Q00000X", 60), ("05401", "122300000X", 30), ("05401", "103T00000X", 40),
    ("05602", "207Q00000X", 10), ("05602", "2084P0800X", 2),
    ("10001", "207R00000X", 900), ("10001", "122300000X", 300), ("10001", "207RC0000X", 200),
    ("77002", "207Q00000X", 700), ("77002", "1041C0700X", 150), ("77002", "363L00000X", 400),
    ("90001", "207Q00000X", 1500), ("90001", "363L00000X", 800), ("90001", "208000000X", 300),
    ("60601", "207R00000X", 1400), ("60601", "122300000X", 700), ("60601", "106H00000X", 90),
]


@dataclass(frozen=True)
class BuiltReport:
    lake: Lake
    pointer: dict
    report: Path


def write_inputs(lake: Lake) -> None:
    small = SmallLake(lake)
    small.nucc()
    small.census(2023, [County(f, n, p, below_poverty=b, age_65_plus=a, uninsured=u)
                        for f, n, p, b, a, u, _z, _s in COUNTIES])
    small.crosswalk("032023", [(zip_code, fips, state, "1", "1") for fips, *_r, zip_code, state in COUNTIES])
    states = {zip_code: state for *_c, zip_code, state in COUNTIES}
    providers, serial = [], 0
    for zip_code, code, count in PROVIDERS:
        for _ in range(count):
            serial += 1
            providers.append(Provider(make_npi(serial), taxonomies=[(code, "Y")], state=states[zip_code],
                                      postal_code=zip_code))
    small.nppes_release(RELEASE, providers)
