"""Fixtures for the reference task tests (small files from fakes.reference_files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.reference_files import NUCC_CSV


@pytest.fixture
def nucc_csv(tmp_path: Path) -> Path:
    path = tmp_path / "nucc_taxonomy_251.csv"
    path.write_bytes(NUCC_CSV.encode())
    return path
