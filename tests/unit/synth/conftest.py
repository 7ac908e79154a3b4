"""A small generated main file shared by the synth tests (built-in vocabularies)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from careatlas.synth.nppes import GenerateSummary, generate_file

RELEASE = date(2025, 3, 2)
ROWS = 4000


@pytest.fixture(scope="session")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> GenerateSummary:
    path = tmp_path_factory.mktemp("nppes") / "npidata.csv"
    return generate_file(path, rows=ROWS, seed=11, release=RELEASE)


@pytest.fixture(scope="session")
def records(small_file: GenerateSummary) -> list[dict[str, str]]:
    with Path(small_file.path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
