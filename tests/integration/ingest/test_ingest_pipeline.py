"""The whole ingest on the embedded default: compressed inputs, reconciliation, bad input."""

from __future__ import annotations

import gzip
import multiprocessing
import zipfile
from pathlib import Path

import polars as pl
import pytest
from support import bad_files, nppes_rows

from careatlas.ingest import pipeline
from careatlas.ingest.pipeline import ingest_file
from careatlas.nppes import schema as nppes_schema
from careatlas.shared import catalog, layout
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, LakeUnavailable

pytestmark = pytest.mark.integration
NAME = "npidata_pfile_20050523-20250407.csv"


@pytest.fixture
def settings() -> Settings:
    # tiny chunks and blocks so a few hundred rows exercise many chunks and the compaction
    return Settings(chunk_bytes=40_000, parse_batch_bytes=9_000, compact_target_bytes=60_000)


@pytest.fixture
def lake(tmp_path: Path, settings: Settings) -> Lake:
    return Lake(str(tmp_path / "lake"), settings)


def _published(lake: Lake, release: str = "2025-04-07") -> pl.DataFrame:
    pointer = catalog.read(lake, "npidata", release)
    assert pointer is not None
    return pl.read_parquet([lake.uri(k) for k in pointer.files], hive_partitioning=False)


def test_counts_reconcile_and_rows_keep_their_source_position(tmp_path, lake, settings) -> None:
    rows = nppes_rows.many(300)
    rows[17] = nppes_rows.provider(17, npi="1234567890")
    source = nppes_rows.write(tmp_path / NAME, rows)
    manifest = ingest_file(source, lake=lake, workers=2, settings=settings)
    assert len(manifest.chunks) > 5
    assert (manifest.rows_read, manifest.rows_written, manifest.rows_quarantined) == (300, 299, 1)
    data = _published(lake)
    assert data.height == 299 and data["npi"].n_unique() == 299
    expected = {**nppes_schema.MAIN.polars_schema, "_chunk": pl.Int32(), "_release": pl.Date(),
                "_source_file": pl.String(), "_source_row": pl.Int64(), "_loaded_at": pl.Datetime("us", "UTC")}
    assert dict(data.schema) == expected  # every file complete and typed, whatever its chunks held
    assert sorted(data["_source_row"].to_list()) == [n for n in range(1, 301) if n != 18]
    by_row = dict(zip(data["_source_row"], data["npi"], strict=True))
    assert by_row[1] == int(nppes_rows.npi(0)) and by_row[300] == int(nppes_rows.npi(299))
    quarantine = pl.read_parquet(lake.uri(manifest.quarantine_key))
    assert quarantine.select("_source_row", "npi").rows() == [(18, "1234567890")]
    assert lake.list("_staging") == []  # staging is removed once published
    states = {k.split("state=")[1].split("/")[0] for k in manifest.files}
    assert states == {"MA", "CA", "TX", "NY", "PR", "NONE"}


def test_zip_and_gzip_inputs_publish_the_same_rows(tmp_path, lake, settings) -> None:
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(120))
    archive = tmp_path / "NPPES_Data_Dissemination_April_2025.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(source, NAME)
        zf.writestr("npidata_pfile_20050523-20250407_fileheader.csv", nppes_rows.header())
    ingest_file(archive, lake=lake, settings=settings)
    from_zip = _published(lake).sort("npi").drop("_loaded_at", "_source_file")
    gz = tmp_path / "gz" / f"{NAME}.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress(source.read_bytes()))
    other = Lake(str(tmp_path / "lake2"), settings)
    ingest_file(gz, lake=other, settings=settings)
    from_gz = _published(other).sort("npi").drop("_loaded_at", "_source_file")
    assert from_zip.height == 120 and from_zip.equals(from_gz)
    assert lake.exists(layout.raw_file("nppes", "2025-04-07", archive.name))


def test_reingest_publishes_a_new_version_atomically(tmp_path, lake, settings) -> None:
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(50))
    first = ingest_file(source, lake=lake, settings=settings)
    second = ingest_file(source, lake=lake, settings=settings)
    pointer = catalog.read(lake, "npidata", "2025-04-07")
    assert pointer.version == second.plan.version != first.plan.version
    assert _published(lake).height == 50  # readers follow the pointer: no duplicates


def _no_release(lake: Lake) -> None:
    assert catalog.list_published(lake, "npidata") == []
    assert lake.list("nppes") == [] and lake.list("_staging") == []
    assert lake.list("raw") == []  # refused before landing, so a corrected file can be landed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (nppes_rows.header().encode() + b"\r\n", "has a header but no records"),
        (b'"NPI","Something Else"\r\n"1234567893","x"\r\n', "not an NPPES npidata header"),
        (bytes(range(256)) * 400, "not UTF-8|no line break|not a CSV file|not an NPPES"),
    ],
    ids=["empty", "header-only", "unknown-header", "binary-garbage"],
)
def test_bad_files_fail_clearly_and_publish_nothing(tmp_path, lake, settings, content, message) -> None:
    source = tmp_path / NAME
    source.write_bytes(content)
    with pytest.raises(ValueError, match=message) as error:
        ingest_file(source, lake=lake, settings=settings)
    assert NAME in str(error.value)
    _no_release(lake)


def test_truncated_last_line_is_quarantined_not_lost(tmp_path, lake, settings) -> None:
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(40))
    source.write_bytes(source.read_bytes()[:-60])
    manifest = ingest_file(source, lake=lake, settings=settings)
    assert (manifest.rows_read, manifest.rows_written, manifest.rows_quarantined) == (40, 39, 1)
    reason = pl.read_parquet(lake.uri(manifest.quarantine_key))["reason"][0]
    assert "fields" in reason or "quoting" in reason


def test_non_utf8_bytes_are_repaired_and_counted(tmp_path, lake, settings) -> None:
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(30))
    source.write_bytes(source.read_bytes().replace("José".encode(), b"Jos\xe9", 3))
    manifest = ingest_file(source, lake=lake, settings=settings)
    assert manifest.rows_written + manifest.rows_quarantined == 30
    assert manifest.encoding_repaired == 3


def test_zip_without_npidata_member_names_its_members(tmp_path, lake, settings) -> None:
    archive = tmp_path / "NPPES_Data_Dissemination_April_2025.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("othername_pfile_20050523-20250407.csv", "x")
    with pytest.raises(ValueError, match=r"expected one npidata_pfile_\*\.csv member, found 0 .*othername_pfile"):
        ingest_file(archive, lake=lake, settings=settings, release="2025-04-07")
    _no_release(lake)


def test_unreachable_s3_endpoint_is_a_clear_error(tmp_path) -> None:
    settings = Settings(s3_endpoint_url="http://127.0.0.1:9", s3_access_key_id="k", s3_secret_access_key="s")
    lake = Lake("s3://nowhere/lake", settings)
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(5))
    with pytest.raises(LakeUnavailable, match="cannot reach the S3 endpoint http://127.0.0.1:9"):
        ingest_file(source, lake=lake, settings=settings)


def test_workers_start_while_the_file_lands_and_stop_when_landing_fails(tmp_path, lake, settings,
                                                                       monkeypatch) -> None:
    seen: list[int] = []
    land = pipeline.landing.land

    def landing_observed(*args, **kwargs):
        seen.append(len(multiprocessing.active_children()))
        return land(*args, **kwargs)

    monkeypatch.setattr(pipeline.landing, "land", landing_observed)
    source = nppes_rows.write(tmp_path / NAME, nppes_rows.many(300))
    assert ingest_file(source, lake=lake, workers=2, settings=settings).rows_read == 300
    assert seen == [2]  # both workers were started before the landing began
    (tmp_path / "bad").mkdir()
    bad = bad_files.write("record-too-long", tmp_path / "bad")  # its header passes; the landing check fails
    with pytest.raises(ValueError, match="no record boundary"):
        ingest_file(bad, lake=lake, workers=2, settings=settings, release="2025-04-08")
    assert multiprocessing.active_children() == []  # a refused file leaves no worker behind
    assert catalog.read(lake, "npidata", "2025-04-08") is None
