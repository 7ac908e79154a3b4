"""Companion files (pl, othername, endpoint) of a release, ingested on the embedded default and
on Celery workers into S3 with the same checks (support.companion_files)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from support import companion_files, nppes_rows
from support.workers import client_app, worker_env, workers

from careatlas.ingest.pipeline import ingest_file
from careatlas.nppes import landing
from careatlas.nppes.schema import HeaderMismatch
from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, open_lake

pytestmark = pytest.mark.integration
SMALL = {"chunk_bytes": 3_000, "parse_batch_bytes": 2_000, "compact_target_bytes": 60_000}


def test_monthly_zip_publishes_its_companions_on_the_embedded_default(tmp_path) -> None:
    lake = Lake(str(tmp_path / "lake"), Settings(**SMALL))
    manifest = ingest_file(companion_files.write_zip(tmp_path), lake=lake, workers=2, settings=lake.settings)
    assert manifest.plan.dataset == "npidata" and manifest.rows_read == 120
    assert catalog.read(lake, "pl", companion_files.RELEASE).kind == "full"
    companion_files.check_published(lake, manifest.companions)
    recorded = lake.read_json(f"manifests/nppes/npidata/release={companion_files.RELEASE}.json")
    assert recorded["companions"] == manifest.companions


def test_monthly_zip_publishes_its_companions_on_celery_workers_into_s3(tmp_path, redis_urls, s3_env) -> None:
    env = worker_env(redis_urls, {**s3_env, **{f"CAREATLAS_{k.upper()}": str(v) for k, v in SMALL.items()}})
    lake = open_lake(s3_env["CAREATLAS_LAKE"], Settings())
    raw_key, _sha, _size = landing.land(lake, landing.source_file(str(companion_files.write_zip(tmp_path))),
                                        companion_files.RELEASE)
    with workers("ingest", "ingest", env, tmp_path, count=2):
        # no run_id: outside a run (careatlas.runs), the finalize guard has no run to check
        result = client_app(env).send_task("ingest.ingest_nppes", kwargs={
            "raw_key": raw_key, "release": companion_files.RELEASE})
        summary = result.get(timeout=180)
    assert summary["dataset"] == "npidata" and summary["rows_read"] == 120
    companion_files.check_published(lake, summary["companions"], version=summary["version"])


def test_a_companion_file_on_its_own_is_its_own_dataset(tmp_path) -> None:
    lake = Lake(str(tmp_path / "lake"), Settings(**SMALL))
    path = tmp_path / f"pl_pfile_{companion_files.STEM}.csv"
    path.write_text(companion_files.companion_texts()["pl"])
    manifest = ingest_file(path, lake=lake, workers=1, settings=lake.settings)
    read, written, quarantined, _ = companion_files.EXPECTED["pl"]
    assert (manifest.plan.dataset, manifest.plan.release) == ("pl", companion_files.RELEASE)
    assert (manifest.rows_read, manifest.rows_written, manifest.rows_quarantined) == (read, written, quarantined)
    assert catalog.read(lake, "npidata", companion_files.RELEASE) is None and manifest.companions == {}


def test_a_companion_file_with_the_wrong_header_is_refused_before_landing(tmp_path) -> None:
    lake = Lake(str(tmp_path / "lake"), Settings(**SMALL))
    path = tmp_path / f"pl_pfile_{companion_files.STEM}.csv"
    nppes_rows.write(path, nppes_rows.many(3))  # a main file under a pl name
    with pytest.raises(HeaderMismatch, match=r"pl_pfile_20050523-20250407\.csv: not an NPPES pl header"):
        ingest_file(path, lake=lake, workers=1, settings=lake.settings)
    assert lake.list("raw") == []


def test_real_pl_rows_land_typed(tmp_path, reference_dir) -> None:
    source = reference_dir / "pl_test.csv"
    if not source.exists():
        pytest.skip(f"{source} is absent (real pl_pfile rows, not vendorable)")
    path = shutil.copy(source, tmp_path / f"pl_pfile_{companion_files.STEM}.csv")
    lake = Lake(str(tmp_path / "lake"), Settings(**SMALL))
    manifest = ingest_file(path, lake=lake, workers=1, settings=lake.settings)
    expected = sum(1 for _ in source.open()) - 1
    assert (manifest.rows_read, manifest.rows_written, manifest.rows_quarantined) == (expected, expected, 0)
    data = pl.read_parquet([lake.uri(k) for k in catalog.read(lake, "pl", companion_files.RELEASE).files])
    assert data["provider_secondary_practice_location_address_postal_code"].str.len_chars().is_in([5, 9]).all()
