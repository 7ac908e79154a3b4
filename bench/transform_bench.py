"""Transform benchmark: a full dbt build at national size, then a weekly incremental build.

    uv run python bench/transform_bench.py                       # 9.4 M providers + ~1.15 M pl rows
    uv run python bench/transform_bench.py --providers 500000    # a quick look
    uv run python bench/transform_bench.py --location-allocation all_locations --reuse-inputs

The input is written by tests/fixtures/national_lake.py straight into ingest's published
Parquet layout (the NPPES generator and ingest were not ready when this was written): a full
release with its secondary practice locations (pl, ~12% of NPIs), the census, NUCC and
crosswalk tables, and a weekly delta (40,000 changed records, 8,000 new NPIs, 2,000
deactivations) whose pointer is published only after the full build. ``--location-allocation``
sets CAREATLAS_LOCATION_ALLOCATION for the builds (primary, the default, or all_locations).

One child process plays the transform worker: full build (cold start), weekly build and an
unchanged re-run (warm, as a long-lived worker runs them). A second child re-runs once more
from a cold start, to show start-up and parse cost. Peak RSS is each child's own. Times are
printed and saved to bench/out/transform/results.json with, per build, dbt's node counts and
its slowest nodes (from the run's run_results.json); nothing is asserted on them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("DO_NOT_TRACK", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=9_400_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "transform")
    parser.add_argument("--location-allocation", choices=["primary", "all_locations"],
                        default=os.environ.get("CAREATLAS_LOCATION_ALLOCATION", "primary"))
    parser.add_argument("--reuse-inputs", action="store_true",
                        help="Keep the inputs of the last run (same --providers); rebuild from a fresh warehouse.")
    parser.add_argument("--child", choices=["worker", "cold-rerun"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CAREATLAS_LOCATION_ALLOCATION"] = args.location_allocation  # the children inherit it
    if args.child:
        print(json.dumps(_child_main(args.workdir, args.child)))
        return
    print(json.dumps(run(args.providers, args.workdir, reuse=args.reuse_inputs), indent=2))


def run(providers: int, workdir: Path, *, reuse: bool = False) -> dict:
    started = time.monotonic()
    inputs_file = workdir / "inputs.json"
    if reuse and inputs_file.exists() and json.loads(inputs_file.read_text())["providers"] == providers:
        inputs = json.loads(inputs_file.read_text())
        _reset(workdir)
    else:
        inputs = _write_inputs(providers, workdir)
        inputs_file.write_text(json.dumps(inputs))
    results: dict = {**inputs, "input_seconds": round(time.monotonic() - started, 1), "machine": _machine(),
                     "location_allocation": os.environ["CAREATLAS_LOCATION_ALLOCATION"]}
    results.update(_spawn(workdir, "worker"))
    results.update(_spawn(workdir, "cold-rerun"))
    results["weekly_vs_full_pct"] = round(100 * results["weekly"]["wall_s"] / results["full"]["wall_s"], 1)
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    return results


def _write_inputs(providers: int, workdir: Path) -> dict:
    from fixtures import national_lake

    from careatlas.shared.settings import Settings
    from careatlas.shared.storage import Lake

    shutil.rmtree(workdir, ignore_errors=True)
    lake = Lake(str(workdir / "lake"), Settings())
    # NUCC, PEP and the crosswalk: the reference folder's, else the extracts in data/reference/
    reference = Path(os.environ.get("CAREATLAS_REFERENCE_DIR") or REPO.parent / "shared" / "reference")
    written = national_lake.build(lake, providers=providers, reference_dir=reference)
    weekly = national_lake.add_weekly(lake, full_providers=providers, reference_dir=reference, publish=False)
    (workdir / "weekly-pointer.json").write_text(weekly.model_dump_json())
    return {"providers": providers, "input": written, "weekly_rows": weekly.rows}


def _reset(workdir: Path) -> None:
    """Back to the inputs alone: no warehouse, no runs, the weekly not yet published."""
    from careatlas.shared import layout

    lake = workdir / "lake"
    for path in (workdir / "warehouse.duckdb", workdir / "warehouse.duckdb.wal", workdir / "dbt-target",
                 lake / "runs", lake / "marts"):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    pointer = json.loads((workdir / "weekly-pointer.json").read_text())
    (lake / layout.nppes_pointer("npidata_weekly", pointer["release"])).unlink(missing_ok=True)


def _spawn(workdir: Path, child: str) -> dict:
    load_before = os.getloadavg()[0]  # other work on the machine skews the times: say so
    started = time.monotonic()
    process = subprocess.run([sys.executable, __file__, "--workdir", str(workdir), "--child", child],
                             capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"{child} failed:\n{process.stderr[-4000:]}")
    summary = json.loads(process.stdout.strip().splitlines()[-1])
    summary[f"{child}_load_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    summary[f"{child}_peak_rss_gib"] = summary.pop("peak_rss_gib")
    print(f"{child}: {time.monotonic() - started:.1f} s in all, peak RSS {summary[f'{child}_peak_rss_gib']} GiB",
          file=sys.stderr)
    return summary


def _child_main(workdir: Path, child: str) -> dict:
    from careatlas.shared import catalog
    from careatlas.shared.storage import Lake

    settings = _settings(workdir)
    if child == "cold-rerun":
        steps = {"cold_rerun": _timed_build(settings, "bench-cold-rerun")}
    else:
        steps = {"full": _timed_build(settings, "bench-full")}
        pointer = catalog.PublishedRelease.model_validate_json((workdir / "weekly-pointer.json").read_text())
        catalog.publish(Lake(settings.lake, settings), pointer)
        steps["weekly"] = _timed_build(settings, "bench-weekly")
        steps["rerun"] = _timed_build(settings, "bench-rerun")
    # ru_maxrss is KiB on Linux: this process's own peak (dbt and DuckDB run in-process)
    steps["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
    return steps


def _timed_build(settings, run_id: str) -> dict:
    from careatlas.transform.build import build_marts

    started, cpu = time.monotonic(), _cpu_s()
    result = build_marts(None, run_id, settings=settings)
    summary = {key: result[key] for key in ("rebaseline", "npis_changed", "timings_s", "tests", "marts")}
    summary["wall_s"] = round(time.monotonic() - started, 1)  # includes imports on a cold start
    # CPU seconds of the process (dbt and DuckDB's threads): less skewed than wall by other load
    summary["cpu_s"] = round(_cpu_s() - cpu, 1)
    summary["dbt_nodes"] = _node_summary(settings, run_id)
    print(f"{run_id}: {summary['wall_s']} s", file=sys.stderr)
    return summary


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


SLOWEST = 12
SPATIAL_NODES = ("int_zcta_supply", "int_zcta_access_computed")  # the E2SFCA step's own models


def _node_summary(settings, run_id: str) -> dict:
    """Node counts by kind and the slowest nodes of the build, from its run_results.json."""
    from careatlas.shared.storage import Lake
    from careatlas.transform import export

    results = Lake(settings.lake, settings).read_json(export.dbt_results_key(run_id)).get("results", [])
    counts: dict[str, int] = {}
    for node in results:
        kind = node["unique_id"].split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    timed = sorted(((n["unique_id"].split(".")[-1], round(n["execution_time"], 2)) for n in results),
                   key=lambda pair: -pair[1])
    return {"counts": counts, "execution_s_total": round(sum(t for _, t in timed), 1),
            "slowest": timed[:SLOWEST],
            "spatial": {name: seconds for name, seconds in timed if name in SPATIAL_NODES}}


def _settings(workdir: Path):
    from careatlas.shared.settings import Settings

    return Settings(lake=str(workdir / "lake"), warehouse_path=workdir / "warehouse.duckdb", log_level="WARNING")


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cpus": os.cpu_count(), "memory_gib": round(memory / 1024**3)}


if __name__ == "__main__":
    main()
