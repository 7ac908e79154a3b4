"""The report's rurality and validation sections: what they show, worked out by hand from the
crafted marts (tests/fixtures/validation_lake.py) and a crafted rurality mart."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fixtures import validation_lake

from careatlas.report import rurality, sections, validation


def _cells(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="data" id="{table_id}">(.*?)</table>', html, re.DOTALL)
    assert table, table_id
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.DOTALL)
            if "<td>" in row]


def test_both_sections_are_registered() -> None:
    anchors = [section.anchor for section in sections.page_sections()]
    assert {"rurality", "validation"} <= set(anchors)
    marts = sections.page_marts()
    assert "fct_rurality_access" in marts and "fct_chr_provider_counts" in marts


def test_rurality_section_shows_each_group() -> None:
    mart = pl.DataFrame({
        "rurality_level": ["metro_status", "metro_status", "rucc_2023"],
        "rurality_group": ["metro", "nonmetro", "9"],
        "counties": [4, 5, 2], "total_population": [108200.0, 79900.0, 9200.0],
        "clinicians_per_100k": [15.94, 56.0, 54.35], "primary_care_providers_per_100k": [11.09, 33.79, 43.48],
        "core_mental_health_providers_per_100k": [1.62, 2.82, 10.87],
        "primary_care_shortage_population_pct": [100.0, 37.92, 0.0],
        "mental_health_shortage_population_pct": [93.35, 100.0, 100.0],
    })
    body, note = rurality.render({rurality.MART: mart})
    rows = _cells(body, "rurality-access")
    assert rows[0] == ["Metro", "4", "108,200", "15.9", "11.1", "1.6", "100.0%", "93.3%"]
    assert rows[1][:3] == ["Nonmetro", "5", "79,900"]
    assert rows[2][0] == "RUCC 9 (nonmetro, urban under 5,000, not adjacent)"
    assert "Rural-Urban Continuum Code 2023" in note


def test_validation_section_computes_the_comparisons_from_the_marts(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = validation_lake.reference_folder(tmp_path / "reference")
    monkeypatch.setenv("CAREATLAS_REFERENCE_DIR", str(folder))
    body, _ = validation.render(validation_lake.frames())
    rows = {row[0]: row[1:] for row in _cells(body, "validation-figures")}
    # the figures of tests/unit/validate/test_validate_crafted.py, worked out there by hand
    hpsa = rows["HRSA primary-care HPSAs 2020: screen and score"]
    assert (hpsa[4], hpsa[5], hpsa[6]) == ("0.400", "0.500", "0.600")
    ahrf = rows["AHRF people per primary-care physician (2021)"]
    assert ahrf[:4] == ["3", "0.500", "25.0%", "2"]
    v062 = rows["CHR v062 mental health providers: CHR-compatible"]
    assert v062[:4] == ["4", "0.632", "10.0%", "1"]
    assert "sub-county service areas" in body


def test_validation_section_says_what_it_could_not_compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = validation_lake.reference_folder(tmp_path / "reference")
    for name in ("v062_r2025.csv", "v131_r2025.csv"):
        (folder / "chr" / name).unlink()
    monkeypatch.setenv("CAREATLAS_REFERENCE_DIR", str(folder))
    body, _ = validation.render(validation_lake.frames())
    assert "Not compared: chr: no chr reference file" in body
    assert "HRSA primary-care HPSAs 2020" in body
