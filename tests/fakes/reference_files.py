"""Small hand-made reference files in the shapes the real sources have (NUCC, HUD, deactivations)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

NUCC_CSV = (
    "Code,Grouping,Classification,Specialization,Definition,Notes,Display Name,Section\r\n"
    '207Q00000X,Allopathic & Osteopathic Physicians,Family Medicine,,"Family Medicine is, in part, '
    'the specialty\r\nthat ...",Source: ABFM,Family Medicine Physician,Individual\r\n'
    "207QA0505X,Allopathic & Osteopathic Physicians,Family Medicine,Adult Medicine,,,"
    "Adult Medicine (Family Medicine) Physician,Individual\r\n"
    "261QF0400X,Ambulatory Health Care Facilities,Clinic/Center,Federally Qualified Health Center (FQHC),"
    '"A facility ""qualified"" under section 1861(aa)",,FQHC,Non-Individual\r\n'
)
HUD_HEADER = [
    "ZIP",
    "COUNTY",
    "USPS_ZIP_PREF_CITY",
    "USPS_ZIP_PREF_STATE",
    "RES_RATIO",
    "BUS_RATIO",
    "OTH_RATIO",
    "TOT_RATIO",
]
# ZIP/COUNTY as numbers, as a workbook re-saved by Excel stores them
HUD_ROWS = [
    [683, 72125, "SAN GERMAN", "PR", 0.9400990488169169, 0.9955005624296963, 0.9683794466403162, 0.9441679290196927],
    [683, 72079, "SAN GERMAN", "PR", 0.0009433220658753243, 0, 0, 0.0008656135035706557],
    [2115, 25025, "BOSTON", "MA", 1, 1, 1, 1],
    [6010, 9110, "BRISTOL", "CT", 1.0, 1.0, 1.0, 1.0],
]
DEACTIVATIONS = [
    (1234567893, "03/03/2025"),
    ("1245319599", datetime(2025, 3, 4)),
    (1003000126.0, "03/05/2025"),
]


def write_xlsx(path: Path, rows: list[list], *, second_sheet: bool = False) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = path.stem[:31]
    for row in rows:
        sheet.append(row)
    if second_sheet:
        book.create_sheet("SQL").append(["select * from crosswalk"])
    book.save(path)
    return path
