"""Landing: raw files are written once, named by release, and never silently replaced."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from careatlas.shared import landing
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("npidata_pfile_20050523-20250407.csv", ("full", "2025-04-07")),
        ("npidata_pfile_20250407-20250413.csv", ("weekly", "2025-04-13")),
        ("NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip", ("weekly", "2025-04-13")),
        ("npidata_pfile_20050523-20250407_fileheader.csv", (None, None)),
        ("providers.csv", (None, None)),
    ],
)
def test_release_and_kind_come_from_cms_names(name: str, expected: tuple) -> None:
    assert landing.identify(name) == expected


def test_unnamed_files_need_an_explicit_release() -> None:
    with pytest.raises(landing.LandingError, match="pass --release"):
        landing.resolve_release("providers.csv", None, None)
    assert landing.resolve_release("providers.csv", "2025-01-31", None) == ("full", "2025-01-31")


def test_landing_is_idempotent_and_refuses_different_bytes(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"), Settings())
    source = tmp_path / "npidata_pfile_20050523-20250407.csv"
    source.write_bytes(b"first version\n" * 1000)
    key, sha, size = landing.land(lake, landing.source_file(str(source)), "2025-04-07")
    assert key == "raw/nppes/release=2025-04-07/npidata_pfile_20050523-20250407.csv"
    assert sha == hashlib.sha256(source.read_bytes()).hexdigest() and size == 14_000
    assert lake.read_json(f"{key}.sha256.json")["sha256"] == sha
    assert landing.land(lake, landing.source_file(str(source)), "2025-04-07") == (key, sha, size)
    source.write_bytes(b"second version\n")
    with pytest.raises(landing.LandingError, match="already holds a different file"):
        landing.land(lake, landing.source_file(str(source)), "2025-04-07")
    assert lake.read_bytes(key) == b"first version\n" * 1000


def test_missing_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(landing.LandingError, match="nope.csv: no such file"):
        landing.source_file(str(tmp_path / "nope.csv"))
