"""Fixtures: small reference files written per test (see fakes.reference_files)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fakes.reference_files import DEACTIVATIONS, HUD_HEADER, HUD_ROWS, NUCC_CSV, write_xlsx

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"), Settings())


@pytest.fixture
def nucc_csv(tmp_path: Path) -> Path:
    path = tmp_path / "nucc_taxonomy_251.csv"
    path.write_bytes(NUCC_CSV.encode())
    return path


@pytest.fixture
def hud_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "ZIP_COUNTY_122022.xlsx", [HUD_HEADER, *HUD_ROWS], second_sheet=True)


@pytest.fixture
def deactivation_xlsx(tmp_path: Path) -> Path:
    rows = [["NPPES Deactivated NPI Report 03/10/2025"], ["NPI", "NPPES Deactivation Date"], *map(list, DEACTIVATIONS)]
    return write_xlsx(tmp_path / "NPPES Deactivated NPI Report 20250310.xlsx", rows)


@pytest.fixture
def deactivation_zip(tmp_path: Path, deactivation_xlsx: Path) -> Path:
    path = tmp_path / "NPPES_Deactivated_NPI_Report_031025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(deactivation_xlsx, deactivation_xlsx.name)
    return path
