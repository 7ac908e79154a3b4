"""The embedded default: a whole run on one machine with no Redis, S3 or Docker.

The lake is a local folder, the ingest workers are a process pool using all cores, and every
step is the same function the Celery tasks wrap: reference loads (the offline demographics are
reference kinds too), the ACS when a vintage is asked for (cache, live or an imported snapshot),
ingest (under the release lock, careatlas.runs.lifecycle.release_held), then the dbt build. The
run is recorded in ``runs/<run_id>/`` through the same run API as a deployment's
(careatlas.runs.lifecycle: ``complete`` or ``fail``, once).
Worker code is imported here, lazily, because in this mode the CLI *is* the workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from careatlas.runs import lifecycle, model
from careatlas.shared import layout
from careatlas.shared.settings import Settings
from careatlas.shared.storage import open_lake

log = structlog.get_logger(__name__)


@dataclass
class EmbeddedRun:
    nppes: str
    references: dict[str, str] = field(default_factory=dict)
    census_snapshot: Path | None = None  # an ACS response saved as CSV/JSON: runs offline
    acs_year: int | None = 2023  # None: no ACS, the offline demographics only
    release: str | None = None
    kind: str | None = None
    workers: int = 0


def run_embedded(settings: Settings, job: EmbeddedRun) -> dict:
    from careatlas.census.cache import get_or_fetch
    from careatlas.census.snapshot import import_snapshot, states_from_counties
    from careatlas.ingest.pipeline import ingest_file
    from careatlas.ingest.reference.load import load_reference
    from careatlas.transform.build import build_marts

    lake = open_lake(settings=settings)
    run_id = model.new_run_id()
    structlog.contextvars.bind_contextvars(run_id=run_id)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for kind, source in sorted(job.references.items()):
        load_reference(lake, kind, source, settings=settings)
    if job.census_snapshot:
        imported = import_snapshot(lake, job.census_snapshot, year=job.acs_year)
        if layout.segment_value(imported.data_key, "geo") == "county":
            states_from_counties(lake, year=job.acs_year)
    elif job.acs_year is not None:
        for geo in ("county", "state"):
            get_or_fetch(lake, job.acs_year, geo, settings=settings)
    timings["references_and_census_s"] = time.perf_counter() - started

    started = time.perf_counter()
    ingest = ingest_file(job.nppes, lake=lake, release=job.release, kind=job.kind, workers=job.workers,
                         settings=settings)
    timings["ingest_s"] = time.perf_counter() - started

    plan = ingest.plan
    runs = lifecycle.Runs(settings, lake, live=None)  # the lake is the record; no Redis here
    model.save_manifest(lake, model.RunManifest(
        run_id=run_id, status="running", attempt=1, release=plan.release, kind=plan.kind, dataset=plan.dataset,
        raw_key=plan.raw_key, raw_sha256=plan.raw_sha256, raw_bytes=plan.raw_bytes, acs_year=job.acs_year,
        references=job.references, plan=plan.model_dump(mode="json"), chunk_count=len(plan.chunks),
    ))
    started = time.perf_counter()
    try:
        marts = build_marts(settings.lake, run_id, acs_year=job.acs_year, settings=settings)
    except Exception as error:
        lifecycle.fail(runs, run_id, f"transform.build_marts: {type(error).__name__}: {error}")
        raise
    timings["transform_s"] = time.perf_counter() - started
    lifecycle.complete(runs, run_id, {**marts, "embedded_timings_s": timings})
    return {"run_id": run_id, "ingest": {"rows_read": ingest.rows_read, "rows_written": ingest.rows_written,
                                         "rows_quarantined": ingest.rows_quarantined, "seconds": ingest.seconds},
            "marts": marts, "timings_s": {k: round(v, 2) for k, v in timings.items()}}
