"""Poison input: a record, piece or archive past its bound fails with the file and offset named,
instead of a worker holding the rest of the file in memory (issue 14 item 1, review H1)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from support import nppes_rows

from careatlas.ingest import prepare
from careatlas.ingest.chunk import ingest_chunk
from careatlas.ingest.models import ChunkSpec
from careatlas.ingest.planner import PlanError, iter_blocks, plan_ranges, read_header
from careatlas.nppes import file as nppes_file
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

MiB = 1024 * 1024
NAME = "npidata_pfile_20050523-20250407.csv"


def _csv(*rows: dict | str) -> bytes:
    lines = [nppes_rows.header(), *(r if isinstance(r, str) else nppes_rows.line(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _poison(field_bytes: int = 3 * MiB) -> bytes:
    """Valid rows around one record whose quoted field holds ``field_bytes`` of spaces."""
    huge = nppes_rows.provider(2, provider_other_organization_name=" " * field_bytes)
    return _csv(*nppes_rows.many(20), huge, *nppes_rows.many(20, start=30))


def _lake(tmp_path: Path, **settings) -> Lake:
    values = {"chunk_bytes": 64 * 1024, "max_record_bytes": MiB, **settings}
    return Lake(str(tmp_path / "lake"), Settings(**values))


def _plan(lake: Lake, key: str, data: bytes):
    lake.put_bytes(key, data)
    return prepare.build_plan(lake, key, "sha", len(data), release="2025-04-07", kind="full",
                              version="v1", chunk_bytes=lake.settings.chunk_bytes)


def test_plain_csv_planning_stops_at_the_record_bound() -> None:
    data = _poison()
    _fields, start = read_header(lambda a, b: data[a:b], len(data), source="t.csv")
    with pytest.raises(PlanError, match=r"t\.csv: no record boundary in the 1,048,576 bytes after byte [\d,]+"):
        plan_ranges(lambda a, b: data[a:b], len(data), start, 64 * 1024, max_record_bytes=MiB, source="t.csv")
    ranges = plan_ranges(lambda a, b: data[a:b], len(data), start, 64 * 1024, max_record_bytes=4 * MiB)
    assert max(b - a for a, b in ranges) <= 64 * 1024 + 4 * MiB  # a record under the bound still fits


def test_blocks_stop_at_the_record_bound() -> None:
    data = _poison()
    with pytest.raises(PlanError, match=r"piece\.csv: no record boundary .* after byte"):
        list(iter_blocks(lambda a, b: data[a:b], 0, len(data), 16 * 1024, max_record_bytes=MiB, source="piece.csv"))


@pytest.mark.parametrize("suffix", [".gz", ".zip"])
def test_a_compressed_record_past_the_bound_fails_and_leaves_no_pieces(tmp_path: Path, suffix: str) -> None:
    # the review's case: 56 KB of .gz holding one 48 MiB quoted field (3 MiB here: same shape)
    lake = _lake(tmp_path)
    if suffix == ".gz":
        blob = gzip.compress(_poison())
    else:
        path = tmp_path / "in.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(NAME, _poison())
        blob = path.read_bytes()
    with pytest.raises(PlanError, match=r"no record boundary in the 1,048,576 bytes after decompressed byte"):
        _plan(lake, f"raw/nppes/release=2025-04-07/{NAME}{suffix}", blob)
    assert lake.list("_staging") == []  # the pieces staged before the failure are gone


def test_compressed_pieces_are_bounded_and_cover_the_stream(tmp_path: Path) -> None:
    data = _csv(*nppes_rows.many(400), nppes_rows.provider(999, provider_other_organization_name="x" * 200_000))
    lake = _lake(tmp_path, max_record_bytes=300_000)
    plan = _plan(lake, f"raw/nppes/release=2025-04-07/{NAME}.gz", gzip.compress(data))
    pieces = [lake.read_bytes(c.source_key) for c in plan.chunks]
    assert len(pieces) > 5 and b"".join(pieces) == data[data.index(b"\n") + 1 :]
    assert all(p[:1] == b'"' and len(p) <= 64 * 1024 + 300_000 for p in pieces)


def test_a_chunk_with_a_record_past_the_bound_fails_naming_the_piece(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    data = _poison()[len(nppes_rows.header()) + 2 :]
    lake.put_bytes("piece.csv", data)
    spec = ChunkSpec(dataset="npidata", release="2025-04-07", version="v1", chunk=3, source_key="piece.csv",
                     start=0, end=len(data))
    with pytest.raises(PlanError, match=r"piece\.csv: no record boundary in the 1,048,576 bytes after byte"):
        ingest_chunk(lake, spec, block_bytes=16 * 1024)


def test_gzip_past_the_decompressed_cap_fails(tmp_path: Path) -> None:
    lake = _lake(tmp_path, max_decompressed_bytes=MiB)
    data = _csv(*nppes_rows.many(2000))
    assert len(data) > 2 * MiB
    with pytest.raises(PlanError, match=r"\(gzip\) decompresses to more than 1,048,576 bytes"):
        _plan(lake, f"raw/nppes/release=2025-04-07/{NAME}.gz", gzip.compress(data))


def test_zip_members_declaring_too_much_fail_before_reading(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(nppes_file, "RATIO_FLOOR_BYTES", 0)  # so a small test file can trip the ratio
    lake = _lake(tmp_path, max_compression_ratio=20)
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(NAME, _csv(*nppes_rows.many(300)))  # mostly empty fields: ~100:1
    with pytest.raises(PlanError, match=rf"!{NAME} declares [\d,]+ bytes uncompressed from [\d,]+: more than"):
        _plan(lake, "raw/nppes/release=2025-04-07/in.zip", path.read_bytes())


@pytest.mark.parametrize(
    ("compressed", "cap"),
    [(None, 64 * 2**30), (10 * MiB, 2000 * MiB), (1000, 256 * MiB), (10**12, 64 * 2**30)],
    ids=["unknown-size", "ratio", "ratio-floor", "absolute"],
)
def test_decompressed_cap_is_the_smaller_of_ratio_and_absolute(compressed, cap) -> None:
    assert nppes_file.Limits.from_settings(Settings()).decompressed_cap(compressed) == cap
