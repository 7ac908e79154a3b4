"""Inputs of a small but real run: NPPES rows in counties the fake Census API knows, a NUCC
extract with the HRSA disciplines, and a HUD crosswalk with one ZIP split across counties."""

from __future__ import annotations

from pathlib import Path

from fakes.census_api import counties

from support import nppes_rows
from support.nppes_rows import PRACTICE_STATE, PRACTICE_ZIP

NUCC = [
    ("207Q00000X", "Allopathic & Osteopathic Physicians", "Family Medicine", "", "Family Medicine Physician"),
    ("207R00000X", "Allopathic & Osteopathic Physicians", "Internal Medicine", "", "Internal Medicine Physician"),
    ("208000000X", "Allopathic & Osteopathic Physicians", "Pediatrics", "", "Pediatrics Physician"),
    ("1223G0001X", "Dental Providers", "Dentist", "General Practice", "General Practice Dentist"),
    ("2084P0800X", "Allopathic & Osteopathic Physicians", "Psychiatry & Neurology", "Psychiatry",
     "Psychiatry Physician"),
    ("103T00000X", "Behavioral Health & Social Service Providers", "Psychologist", "", "Psychologist"),
    ("363L00000X", "Physician Assistants & Advanced Practice Nursing Providers", "Nurse Practitioner", "",
     "Nurse Practitioner"),
]
# ZIP -> county; 36067 spans Autauga (70%) and Baldwin (30%) by business ratio
HUD = [
    ("90012", "06037", "LOS ANGELES", "CA", "1", "1", "1", "1"),
    ("20001", "11001", "WASHINGTON", "DC", "1", "1", "1", "1"),
    ("36067", "01001", "PRATTVILLE", "AL", "0.8", "0.7", "0.5", "0.75"),
    ("36067", "01003", "PRATTVILLE", "AL", "0.2", "0.3", "0.5", "0.25"),
]
# every other county the fake Census API serves gets one ZIP of its own: a county with people and
# no crosswalk weight is an input mismatch the build refuses (counties_with_people_have_crosswalk_weight).
# Connecticut comes as HUD 2023Q1 has it (the old counties); the harmonisation seed maps them on.
_STATE_CODES = {"01": "AL", "02": "AK", "06": "CA", "09": "CT", "11": "DC", "72": "PR"}
HUD += [
    (f"{99000 + n:05d}", fips, "FAKE CITY", _STATE_CODES[fips[:2]], "1", "1", "1", "1")
    for n, fips in enumerate(sorted(set(counties(2015)) - {county for _, county, *_ in HUD}))
]
PLACES = [("CA", "900121234"), ("DC", "20001"), ("AL", "36067")]
TAXONOMIES = ["207Q00000X", "207R00000X", "208000000X", "1223G0001X", "2084P0800X", "103T00000X"]


def write_nucc(path: Path) -> Path:
    lines = ["Code,Grouping,Classification,Specialization,Definition,Notes,Display Name,Section"]
    lines += [f'{code},{group},{cls},{spec},"",,{display},Individual' for code, group, cls, spec, display in NUCC]
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def write_hud(path: Path) -> Path:
    lines = ["ZIP,COUNTY,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,BUS_RATIO,OTH_RATIO,TOT_RATIO"]
    lines += [",".join(row) for row in HUD]
    path.write_text("\n".join(lines) + "\n")
    return path


def providers(count: int, start: int = 0) -> list[dict[str, str]]:
    rows = []
    for n in range(start, start + count):
        if n % 17 == 0:
            rows.append(nppes_rows.deactivated(n))
            continue
        state, zip_code = PLACES[n % len(PLACES)]
        rows.append(nppes_rows.provider(n, **{PRACTICE_STATE: state, PRACTICE_ZIP: zip_code,
                                              "healthcare_provider_taxonomy_code_1": TAXONOMIES[n % len(TAXONOMIES)]}))
    return rows


def write_nppes(path: Path, count: int, start: int = 0) -> Path:
    return nppes_rows.write(path, providers(count, start))
