"""Reference files are bounded too (review H1): a source, an unpacked workbook or a zipped
report past CAREATLAS_MAX_REFERENCE_BYTES is refused before it is read into memory or /tmp."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fakes.reference_files import NUCC_CSV

from careatlas.ingest.reference.common import ReferenceError
from careatlas.ingest.reference.load import load_reference
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

MiB = 1024 * 1024


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CAREATLAS_MAX_REFERENCE_BYTES", str(MiB))
    get_settings.cache_clear()
    return get_settings()


def test_a_source_past_the_cap_is_refused(tmp_path: Path, lake: Lake, capped: Settings) -> None:
    path = tmp_path / "nucc_taxonomy_251.csv"
    path.write_text(NUCC_CSV + "x" * (MiB + 1))
    with pytest.raises(ReferenceError, match=r"nucc_taxonomy_251\.csv: [\d,]+ bytes is more than CAREATLAS_MAX_REF"):
        load_reference(lake, "nucc", str(path), settings=capped)


@pytest.mark.parametrize(("kind", "name", "member"), [
    ("hud", "ZIP_COUNTY_122022.xlsx", "xl/worksheets/sheet1.xml"),  # a workbook that unpacks past the cap
    ("deactivations", "NPPES_Deactivated_NPI_Report_031025.zip", "report.xlsx"),  # extracted to /tmp
])
def test_archives_unpacking_past_the_cap_are_refused(tmp_path: Path, lake: Lake, capped: Settings, kind: str,
                                                      name: str, member: str) -> None:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(member, b"\0" * (2 * MiB))  # ~2 KiB on disk
    assert path.stat().st_size < MiB
    with pytest.raises(ReferenceError, match=rf"{name} unpacks to [\d,]+ bytes, more than CAREATLAS_MAX_REF"):
        load_reference(lake, kind, str(path), settings=capped)
    assert lake.list() == []
