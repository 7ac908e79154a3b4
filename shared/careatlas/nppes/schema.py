"""Schemas of the NPPES dissemination files: source column names, snake_case names and types.

The main file (``npidata_pfile``) has 330 columns; files from before ~2024 have 329 (no
``Certification Date``, and column 42 is ``Provider Gender Code``), and files in between have
330 with ``Provider Gender Code`` (a real 2021 file: ../shared/reference/nppes_raw/). All are
recognised; any other header fails with the differing columns named. Types are explicit: NPIs are integers,
dates are parsed from MM/DD/YYYY, and every code, ZIP and phone number stays text so leading
zeros survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

# ------------------------------------------------------------------ main file (npidata_pfile)
_BASE_COLUMNS = [
    "NPI",
    "Entity Type Code",
    "Replacement NPI",
    "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Middle Name",
    "Provider Name Prefix Text",
    "Provider Name Suffix Text",
    "Provider Credential Text",
    "Provider Other Organization Name",
    "Provider Other Organization Name Type Code",
    "Provider Other Last Name",
    "Provider Other First Name",
    "Provider Other Middle Name",
    "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text",
    "Provider Other Credential Text",
    "Provider Other Last Name Type Code",
]
_ADDRESS_FIELDS = [
    "First Line Business {kind} Address",
    "Second Line Business {kind} Address",
    "Business {kind} Address City Name",
    "Business {kind} Address State Name",
    "Business {kind} Address Postal Code",
    "Business {kind} Address Country Code (If outside U.S.)",
    "Business {kind} Address Telephone Number",
    "Business {kind} Address Fax Number",
]
_MIDDLE_COLUMNS = [
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Reason Code",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Provider Sex Code",
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Telephone Number",
]
_TAIL_COLUMNS = [
    "Is Sole Proprietor",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Parent Organization TIN",
    "Authorized Official Name Prefix Text",
    "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
]
TAXONOMY_SLOTS = 15
OTHER_IDENTIFIER_SLOTS = 50


def _address(kind: str) -> list[str]:
    first, second, *rest = _ADDRESS_FIELDS
    return [f"Provider {f.format(kind=kind)}" for f in (first, second, *rest)]


MAIN_COLUMNS: list[str] = [
    *_BASE_COLUMNS,
    *_address("Mailing"),
    *_address("Practice Location"),
    *_MIDDLE_COLUMNS,
    *[
        name
        for n in range(1, TAXONOMY_SLOTS + 1)
        for name in (
            f"Healthcare Provider Taxonomy Code_{n}",
            f"Provider License Number_{n}",
            f"Provider License Number State Code_{n}",
            f"Healthcare Provider Primary Taxonomy Switch_{n}",
        )
    ],
    *[
        name
        for n in range(1, OTHER_IDENTIFIER_SLOTS + 1)
        for name in (
            f"Other Provider Identifier_{n}",
            f"Other Provider Identifier Type Code_{n}",
            f"Other Provider Identifier State_{n}",
            f"Other Provider Identifier Issuer_{n}",
        )
    ],
    *_TAIL_COLUMNS,
    *[f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, TAXONOMY_SLOTS + 1)],
    "Certification Date",
]
GENDER_MAIN_COLUMNS: list[str] = [
    "Provider Gender Code" if name == "Provider Sex Code" else name for name in MAIN_COLUMNS
]
LEGACY_MAIN_COLUMNS: list[str] = [name for name in GENDER_MAIN_COLUMNS if name != "Certification Date"]

# ------------------------------------------------------------------ companion files
PL_COLUMNS = [
    "NPI",
    "Provider Secondary Practice Location Address- Address Line 1",
    "Provider Secondary Practice Location Address-  Address Line 2",  # two spaces, as CMS ships it
    "Provider Secondary Practice Location Address - City Name",
    "Provider Secondary Practice Location Address - State Name",
    "Provider Secondary Practice Location Address - Postal Code",
    "Provider Secondary Practice Location Address - Country Code (If outside U.S.)",
    "Provider Secondary Practice Location Address - Telephone Number",
    "Provider Secondary Practice Location Address - Telephone Extension",
    "Provider Practice Location Address - Fax Number",
]
OTHERNAME_COLUMNS = ["NPI", "Provider Other Organization Name", "Provider Other Organization Name Type Code"]
ENDPOINT_COLUMNS = [
    "NPI",
    "Endpoint Type",
    "Endpoint Type Description",
    "Endpoint",
    "Affiliation",
    "Endpoint Description",
    "Affiliation Legal Business Name",
    "Use Code",
    "Use Description",
    "Other Use Description",
    "Content Type",
    "Content Description",
    "Other Content Description",
    "Affiliation Address Line One",
    "Affiliation Address Line Two",
    "Affiliation Address City",
    "Affiliation Address State",
    "Affiliation Address Country",
    "Affiliation Address Postal Code",
]


def snake_case(name: str) -> str:
    """``Provider Last Name (Legal Name)`` -> ``provider_last_name_legal_name``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# ------------------------------------------------------------------ types
NPI_COLUMNS = {"NPI", "Replacement NPI"}
DATE_COLUMNS = {
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Certification Date",
}


def _dtype(name: str) -> pl.DataType:
    if name in NPI_COLUMNS:
        return pl.Int64()
    if name in DATE_COLUMNS:
        return pl.Date()
    return pl.String()


@dataclass(frozen=True)
class FileSchema:
    """One NPPES file kind: its source header, the names we store, and their types."""

    kind: str
    source_columns: tuple[str, ...]
    columns: tuple[str, ...]  # snake_case, in source order
    dtypes: tuple[pl.DataType, ...]
    legacy: bool = False

    @property
    def polars_schema(self) -> pl.Schema:
        return pl.Schema(dict(zip(self.columns, self.dtypes, strict=True)))

    @property
    def date_columns(self) -> list[str]:
        return [c for c, t in zip(self.columns, self.dtypes, strict=True) if t == pl.Date()]

    @property
    def npi_columns(self) -> list[str]:
        return [c for c, t in zip(self.columns, self.dtypes, strict=True) if t == pl.Int64()]


def _schema(kind: str, source: list[str], legacy: bool = False) -> FileSchema:
    # legacy names map onto today's snake_case so every release lands in one table shape
    current = [("Provider Sex Code" if s == "Provider Gender Code" else s) for s in source]
    names = tuple(snake_case(s) for s in current)
    if len(set(names)) != len(names):
        raise AssertionError(f"{kind}: snake_case names collide")
    return FileSchema(kind, tuple(source), names, tuple(_dtype(s) for s in current), legacy)


MAIN = _schema("npidata", MAIN_COLUMNS)
MAIN_LEGACY = _schema("npidata", LEGACY_MAIN_COLUMNS, legacy=True)
# same columns as MAIN once the old name is mapped, so chunks parse it as MAIN (legacy=False)
MAIN_GENDER = _schema("npidata", GENDER_MAIN_COLUMNS)
PL = _schema("pl", PL_COLUMNS)
OTHERNAME = _schema("othername", OTHERNAME_COLUMNS)
ENDPOINT = _schema("endpoint", ENDPOINT_COLUMNS)
_SCHEMAS = {
    "npidata": (MAIN, MAIN_GENDER, MAIN_LEGACY), "pl": (PL,), "othername": (OTHERNAME,), "endpoint": (ENDPOINT,)
}
COMPANION_DATASETS = ("pl", "othername", "endpoint")


def schema_for(dataset: str, *, legacy: bool = False) -> FileSchema:
    """The schema a published dataset (``layout.NPPES_DATASETS``) is parsed with."""
    if dataset in ("npidata", "npidata_weekly"):
        return MAIN_LEGACY if legacy else MAIN
    return _SCHEMAS[dataset][0]


class HeaderMismatch(ValueError):
    """The file's header is not one we know: the message lists the differing columns."""


def match_header(kind: str, header: list[str], *, source: str = "file") -> FileSchema:
    """The schema whose header equals ``header`` exactly, or a ``HeaderMismatch`` that says why."""
    candidates = _SCHEMAS[kind]
    cleaned = [h.strip().strip('"').lstrip("\ufeff") for h in header]
    for schema in candidates:
        if cleaned == list(schema.source_columns):
            return schema
    expected = candidates[0].source_columns
    raise HeaderMismatch(f"{source}: not an NPPES {kind} header. {describe_difference(cleaned, list(expected))}")


def describe_difference(found: list[str], expected: list[str], limit: int = 8) -> str:
    parts = [f"found {len(found)} columns, expected {len(expected)}"]
    missing = [c for c in expected if c not in set(found)]
    unexpected = [c for c in found if c not in set(expected)]
    if missing:
        parts.append("missing: " + _some(missing, limit))
    if unexpected:
        parts.append("unexpected: " + _some(unexpected, limit))
    if not missing and not unexpected:
        pairs = enumerate(zip(found, expected, strict=True))
        moved = [f"{i + 1}: {f!r} (expected {e!r})" for i, (f, e) in pairs if f != e]
        parts.append("columns out of order at " + "; ".join(moved[:limit]))
    return "; ".join(parts)


def _some(names: list[str], limit: int) -> str:
    return ", ".join(repr(c) for c in names[:limit]) + (" ..." if len(names) > limit else "")


# ------------------------------------------------------------------ values
US_STATES = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
    "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
])
US_TERRITORIES = frozenset(["PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW"])
MILITARY_STATES = frozenset({"AA", "AE", "AP"})
POSTAL_STATE_CODES = US_STATES | US_TERRITORIES | MILITARY_STATES


def npi_check_digit(first_nine: str) -> int:
    """Luhn check digit of an NPI: computed over ``80840`` + the first nine digits."""
    digits = [int(d) for d in "80840" + first_nine]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:  # rightmost payload digit is doubled (the check digit is not yet there)
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(value: str | int) -> bool:
    text = str(value)
    return len(text) == 10 and text.isdigit() and npi_check_digit(text[:9]) == int(text[9])
