"""Tiny NPPES files in exact CMS format (all fields quoted), written row by row for tests."""

from __future__ import annotations

from pathlib import Path

from careatlas.nppes import schema as nppes_schema

PRACTICE_STATE = "provider_business_practice_location_address_state_name"
PRACTICE_ZIP = "provider_business_practice_location_address_postal_code"
PRACTICE_COUNTRY = "provider_business_practice_location_address_country_code_if_outside_u_s"


def npi(n: int) -> str:
    """A valid NPI (Luhn over 80840 + nine digits) for a small integer."""
    nine = f"{100000000 + n:09d}"
    return nine + str(nppes_schema.npi_check_digit(nine))


def provider(n: int, **overrides: str) -> dict[str, str]:
    values = {c: "" for c in nppes_schema.MAIN.columns}
    values.update(
        npi=npi(n), entity_type_code="1", provider_last_name_legal_name=f"O'Name{n}",
        provider_first_name="José", provider_enumeration_date="01/02/2010", last_update_date="04/07/2025",
        **{PRACTICE_STATE: "MA", PRACTICE_ZIP: "021151234", PRACTICE_COUNTRY: "US"},
        healthcare_provider_taxonomy_code_1="207Q00000X", healthcare_provider_primary_taxonomy_switch_1="Y",
    )
    values.update(overrides)
    return values


def deactivated(n: int, when: str = "05/23/2019") -> dict[str, str]:
    values = {c: "" for c in nppes_schema.MAIN.columns}
    values.update(npi=npi(n), npi_deactivation_date=when)
    return values


def line(values: dict[str, str], columns=nppes_schema.MAIN.columns) -> str:
    return ",".join(f'"{values[c]}"' for c in columns)


def header(columns=nppes_schema.MAIN_COLUMNS) -> str:
    return ",".join(f'"{c}"' for c in columns)


def write(path: Path, rows: list[dict[str, str] | str], *, newline: str = "\r\n", final_newline: bool = True) -> Path:
    """Rows may be dicts (rendered) or raw text lines (for malformed input)."""
    lines = [header(), *(r if isinstance(r, str) else line(r) for r in rows)]
    text = newline.join(lines) + (newline if final_newline else "")
    path.write_bytes(text.encode("utf-8"))
    return path


def many(count: int, *, start: int = 0, states=("MA", "CA", "TX", "NY", "PR")) -> list[dict[str, str]]:
    rows = []
    for n in range(start, start + count):
        rows.append(deactivated(n) if n % 29 == 0 else provider(n, **{PRACTICE_STATE: states[n % len(states)]}))
    return rows
