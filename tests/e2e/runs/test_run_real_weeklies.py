"""Real NPPES weekly files through the deployment (private Redis, moto S3, real ingest, census and
transform workers, the real CLI): a base release, then two weeklies, then the deactivation
report. The marts must conserve providers: what they place in counties plus what they keep
outside equals the active individuals the raw files imply, and the base release stays the
baseline (on S3 a raw key-prefix listing once returned the weeklies as full releases)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support import real_rows

from careatlas.runs import model

pytestmark = pytest.mark.e2e


def _run(stack, path: Path, kind: str, *extra: str) -> model.RunManifest:
    done = stack.cli("run", "--nppes", str(path), "--kind", kind, "--acs-year", str(real_rows.ACS_YEAR), *extra,
                     "--wait", timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run_id = done.stdout.split()[0]  # the run id is printed first, then the watch
    manifest = model.load_manifest(stack.lake, run_id)
    assert manifest is not None and manifest.status == "succeeded", manifest
    return manifest


def test_a_base_release_then_weeklies_conserve_providers_on_s3(stack, reference_dir: Path) -> None:
    # real files are ~35 MB of CSV each: a few chunks per file, not the stack's hundreds
    stack.env.update(CAREATLAS_CHUNK_BYTES=str(8 << 20), CAREATLAS_PARSE_BATCH_BYTES=str(4 << 20))
    stack.start_workers()
    lake = stack.lake
    real_rows.import_demographics(lake, reference_dir)
    weekly = reference_dir / real_rows.WEEKLY_DIR
    started = time.monotonic()
    last = len(real_rows.WEEKLY_FILES) - 1
    nucc, hud = reference_dir / real_rows.NUCC_FILE, reference_dir / real_rows.HUD_FILE
    references = {0: ["--nucc", str(nucc), "--hud", str(hud)],
                  last: ["--deactivations", str(weekly / real_rows.DEACTIVATION_REPORT)]}
    for n, (name, release, kind) in enumerate(real_rows.WEEKLY_FILES):
        path = weekly / name
        if kind == "full":  # the base weekly stands in for a full release: under a full file's name
            path = stack.folder / f"npidata_pfile_20050523-{release:%Y%m%d}.csv.gz"  # (a weekly name is refused)
            path.symlink_to(weekly / name)
        _run(stack, path, kind, *references.get(n, []))
    elapsed = time.monotonic() - started
    assert stack.census.data_calls() == []  # the census tasks were served by the imported snapshot

    truth = real_rows.weekly_truth(reference_dir)
    for (name, release, kind) in real_rows.WEEKLY_FILES:
        dataset = "npidata" if kind == "full" else "npidata_weekly"
        real_rows.assert_rows_accounted(lake, dataset, release.isoformat(), truth.rows_per_file[name])
    pointer = real_rows.latest(lake)
    print(f"\nlatest.json nppes_full: {pointer['inputs']['nppes_full']}; marts: {real_rows.mart_figures(lake)}")
    _name, base_release, _kind = real_rows.WEEKLY_FILES[0]
    assert pointer["inputs"]["nppes_full"]["release"] == base_release.isoformat(), pointer["inputs"]
    assert [w["release"] for w in pointer["inputs"]["nppes_weekly"]] == [
        r.isoformat() for _n, r, _k in real_rows.WEEKLY_FILES[1:]]
    figures = real_rows.assert_conserved(lake, truth)
    real_rows.assert_most_placed(figures)
    for worker in stack.workers["transform"]:  # it keeps the warehouse open (DuckDB allows one writer)
        worker.stop()
    warehouse = Path(stack.env["CAREATLAS_WAREHOUSE_PATH"])
    real_rows.assert_latest_records(warehouse, truth, reference_dir)
    real_rows.assert_deactivated_gone(warehouse, truth)
    real_rows.assert_reactivated_active(warehouse, truth)
    print(f"\nS3/Celery weeklies: {figures} in {elapsed:.0f}s")
