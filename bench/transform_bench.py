"""Transform benchmark: a full dbt build at national size, then a weekly incremental build.

    uv run python bench/transform_bench.py                       # 9.4 M providers + ~1.15 M pl rows
    uv run python bench/transform_bench.py --providers 500000    # a quick look
    uv run python bench/transform_bench.py --location-allocation all_locations --reuse-inputs
    uv run python bench/transform_bench.py --reuse-inputs --no-cold-rerun --no-rerun --repeat-weekly 3

The input is written by tests/fixtures/national_lake.py straight into ingest's published
Parquet layout (the NPPES generator and ingest were not ready when this was written): a full
release with its secondary practice locations (pl, ~12% of NPIs), the census, NUCC and
crosswalk tables, and a weekly delta (40,000 changed records, 8,000 new NPIs, 2,000
deactivations) whose pointer is published only after the full build. ``--location-allocation``
sets CAREATLAS_LOCATION_ALLOCATION for the builds (primary, the default, or all_locations).

One child process plays the transform worker: full build (cold start), weekly build and an
unchanged re-run (warm, as a long-lived worker runs them). A second child re-runs once more
from a cold start, to show start-up and parse cost. ``--repeat-weekly N`` runs the weekly N
times, each on a fresh copy of the post-full warehouse, and reports each with the median
weekly/full ratios (the spread between runs is about the size of the gaps measured). Peak
RSS is each child's own. Times are printed and saved to bench/out/transform/results.json
with, per build, dbt's node counts and its slowest nodes (from the run's run_results.json);
nothing is asserted on them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
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
    parser.add_argument("--inputs-only", action="store_true",
                        help="Write the inputs (the lake and the weekly's files) and stop: no builds.")
    parser.add_argument("--no-cold-rerun", action="store_true", help="Skip the second, cold-start child.")
    parser.add_argument("--no-rerun", action="store_true", help="Skip the worker's unchanged re-run (warm).")
    parser.add_argument("--repeat-weekly", type=int, default=1, metavar="N",
                        help="Run the weekly build N times, each on a fresh copy of the post-full warehouse; "
                             "report each and the median ratios (run-to-run spread is about the size of the gap).")
    parser.add_argument("--memory-cap-gib", type=float, default=None,
                        help="Kill a build child whose sampled RSS exceeds this (the pod's limit, 6).")
    parser.add_argument("--child", choices=["worker", "cold-rerun"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["CAREATLAS_LOCATION_ALLOCATION"] = args.location_allocation  # the children inherit it
    if args.child:
        print(json.dumps(_child_main(args.workdir, args.child, args.memory_cap_gib, rerun=not args.no_rerun,
                                     repeat_weekly=args.repeat_weekly)))
        return
    print(json.dumps(run(args.providers, args.workdir, reuse=args.reuse_inputs, inputs_only=args.inputs_only,
                         cold_rerun=not args.no_cold_rerun, rerun=not args.no_rerun,
                         memory_cap_gib=args.memory_cap_gib, repeat_weekly=args.repeat_weekly), indent=2))


def run(providers: int, workdir: Path, *, reuse: bool = False, inputs_only: bool = False,
        cold_rerun: bool = True, rerun: bool = True, memory_cap_gib: float | None = None,
        repeat_weekly: int = 1) -> dict:
    started = time.monotonic()
    inputs_file = workdir / "inputs.json"
    if reuse and inputs_file.exists() and json.loads(inputs_file.read_text())["providers"] == providers:
        inputs = json.loads(inputs_file.read_text())
        _reset(workdir)
    else:
        inputs = _write_inputs(providers, workdir)
        inputs["input_seconds"] = round(time.monotonic() - started, 1)
        inputs["input_peak_rss_gib"] = _gib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        inputs["lake_bytes"] = _tree_bytes(workdir / "lake")
        inputs_file.write_text(json.dumps(inputs))
    results: dict = {**inputs, "machine": _machine(),
                     "location_allocation": os.environ["CAREATLAS_LOCATION_ALLOCATION"]}
    if inputs_only:
        return results
    results.update(_spawn(workdir, "worker", memory_cap_gib, rerun=rerun, repeat_weekly=repeat_weekly))
    if cold_rerun:
        results.update(_spawn(workdir, "cold-rerun", memory_cap_gib))
    results["warehouse_bytes"] = _tree_bytes(workdir / "warehouse.duckdb")
    results["weekly_vs_full_pct"] = round(100 * results["weekly"]["wall_s"] / results["full"]["wall_s"], 1)
    results["weekly_vs_full_cpu_pct"] = round(100 * results["weekly"]["cpu_s"] / results["full"]["cpu_s"], 1)
    if "weekly_repeats" in results:
        results["weekly_repeats_summary"] = _repeat_summary(results["full"], results["weekly_repeats"])
        print(f"weekly x{repeat_weekly}: {results['weekly_repeats_summary']}", file=sys.stderr)
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    return results


def _repeat_summary(full: dict, weeklies: list[dict]) -> dict:
    """Each repeat's weekly / full ratios (wall, CPU) and their medians."""
    wall = [round(100 * w["wall_s"] / full["wall_s"], 1) for w in weeklies]
    cpu = [round(100 * w["cpu_s"] / full["cpu_s"], 1) for w in weeklies]
    return {"wall_pct": wall, "cpu_pct": cpu, "median_wall_pct": statistics.median(wall),
            "median_cpu_pct": statistics.median(cpu),
            "load_1m_end": [w["load_1m_end"] for w in weeklies]}


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
    paths = [workdir / "warehouse.duckdb", workdir / "warehouse.duckdb.wal", workdir / "warehouse.duckdb.tmp",
             workdir / "dbt-target", workdir / "builds-partial.jsonl", lake / "runs", lake / "marts",
             *workdir.glob("after-full-warehouse.duckdb*")]  # --repeat-weekly's copy
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    pointer = json.loads((workdir / "weekly-pointer.json").read_text())
    (lake / layout.nppes_pointer("npidata_weekly", pointer["release"])).unlink(missing_ok=True)


def _spawn(workdir: Path, child: str, memory_cap_gib: float | None = None, *, rerun: bool = True,
           repeat_weekly: int = 1) -> dict:
    load_before = os.getloadavg()[0]  # other work on the machine skews the times: say so
    started = time.monotonic()
    flags = ((["--memory-cap-gib", str(memory_cap_gib)] if memory_cap_gib else []) + ([] if rerun else ["--no-rerun"])
             + ["--repeat-weekly", str(repeat_weekly)])
    process = subprocess.run([sys.executable, __file__, "--workdir", str(workdir), "--child", child, *flags],
                             capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"{child} failed:\n{process.stderr[-4000:]}")
    summary = json.loads(process.stdout.strip().splitlines()[-1])
    summary[f"{child}_load_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    summary[f"{child}_peak_rss_gib"] = summary.pop("peak_rss_gib")
    print(f"{child}: {time.monotonic() - started:.1f} s in all, peak RSS {summary[f'{child}_peak_rss_gib']} GiB",
          file=sys.stderr)
    return summary


def _child_main(workdir: Path, child: str, memory_cap_gib: float | None = None, *, rerun: bool = True,
                repeat_weekly: int = 1) -> dict:
    from careatlas.shared import catalog
    from careatlas.shared.storage import Lake

    settings = _settings(workdir)
    sampler = _Sampler(_temp_directory(settings), memory_cap_gib)
    sampler.start()
    if child == "cold-rerun":
        steps = {"cold_rerun": _timed_build(settings, "bench-cold-rerun", sampler)}
    else:
        steps = {"full": _timed_build(settings, "bench-full", sampler)}
        pointer = catalog.PublishedRelease.model_validate_json((workdir / "weekly-pointer.json").read_text())
        catalog.publish(Lake(settings.lake, settings), pointer)
        if repeat_weekly > 1:
            _repeat_weekly(settings, repeat_weekly, sampler, steps)
        else:
            steps["weekly"] = _timed_build(settings, "bench-weekly", sampler)
        if rerun:
            steps["rerun"] = _timed_build(settings, "bench-rerun", sampler)
    # ru_maxrss is KiB on Linux: this process's own peak (dbt and DuckDB run in-process)
    steps["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
    steps["memory_cap_gib"] = memory_cap_gib
    return steps


def _repeat_weekly(settings, repeats: int, sampler: _Sampler, steps: dict) -> None:
    """The weekly build ``repeats`` times from the same post-full warehouse, each under its own
    run id; ``steps["weekly"]`` is the first. The warehouse is saved beside itself once and
    copied back before each repeat: the same path (DuckDB names the catalog after the file, and
    dbt's partial parse keys on the profile), safe because dbt_runner closes the database after
    each invocation."""
    warehouse = Path(settings.warehouse_path)
    files = [warehouse, warehouse.with_name(warehouse.name + ".wal")]  # the WAL, if not checkpointed
    saved = [path.with_name("after-full-" + path.name) for path in files]
    for path, copy in zip(files, saved, strict=True):
        if path.exists():
            shutil.copyfile(path, copy)
    steps["weekly_repeats"] = []
    for repeat in range(1, repeats + 1):
        if repeat > 1:
            for path, copy in zip(files, saved, strict=True):
                path.unlink(missing_ok=True)
                if copy.exists():
                    shutil.copyfile(copy, path)
            os.sync()  # else the copy's ~1 GB of dirty pages is written back during the build timed next
        run_id = "bench-weekly" if repeat == 1 else f"bench-weekly-{repeat}"
        steps["weekly_repeats"].append(_timed_build(settings, run_id, sampler))
    for copy in saved:
        copy.unlink(missing_ok=True)
    steps["weekly"] = steps["weekly_repeats"][0]


def _timed_build(settings, run_id: str, sampler: _Sampler) -> dict:
    from careatlas.transform.build import build_marts

    sampler.reset()
    started, cpu = time.monotonic(), _cpu_s()
    result = build_marts(None, run_id, settings=settings)
    summary = {key: result[key] for key in ("rebaseline", "npis_changed", "timings_s", "tests", "marts")}
    summary["wall_s"] = round(time.monotonic() - started, 1)  # includes imports on a cold start
    # CPU seconds of the process (dbt and DuckDB's threads): less skewed than wall by other load
    summary["cpu_s"] = round(_cpu_s() - cpu, 1)
    summary["dbt_nodes"] = _node_summary(settings, run_id)
    # sampled every 0.5 s: the build's RSS peak and DuckDB's spill (its temp directory's size)
    summary["sampled_peak_rss_gib"] = _gib(sampler.peak_rss)
    summary["spill_peak_gib"] = _gib(sampler.peak_temp)
    summary["load_1m_end"] = round(os.getloadavg()[0], 2)
    # each build as it finishes: a long 10x run that fails or is stopped later keeps what it measured
    partial = Path(settings.warehouse_path).parent / "builds-partial.jsonl"
    with partial.open("a") as handle:
        handle.write(json.dumps({"run_id": run_id, **summary}) + "\n")
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


class _Sampler(threading.Thread):
    """Samples this process's RSS and the size of DuckDB's temp directory (its spill) every 0.5 s;
    with a cap, exits the process (status 137, as an OOM kill) once RSS exceeds it. There is no
    cgroup memory limit to put a child under on this machine (no systemd, cgroup v1 owned by the
    sandbox), so the cap is this watchdog's; ru_maxrss gives the exact peak afterwards."""

    def __init__(self, temp_directory: Path, cap_gib: float | None) -> None:
        super().__init__(daemon=True)
        self.temp_directory, self.cap = temp_directory, (cap_gib or 0) * 1024**3
        self.peak_rss = self.peak_temp = 0

    def reset(self) -> None:
        self.peak_rss = self.peak_temp = 0

    def run(self) -> None:
        while True:
            rss = _rss_bytes()
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_temp = max(self.peak_temp, _tree_bytes(self.temp_directory))
            if self.cap and rss > self.cap:
                print(f"memory cap: RSS {_gib(rss)} GiB > {_gib(self.cap)} GiB, killed", file=sys.stderr)
                os._exit(137)
            time.sleep(0.5)


def _rss_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _tree_bytes(path: Path) -> int:
    """Allocated bytes under ``path`` (a file or a folder; 0 when missing)."""
    total = 0
    for root, _dirs, files in os.walk(path) if path.is_dir() else [(path.parent, [], [path.name])]:
        for name in files:
            with contextlib.suppress(FileNotFoundError):  # DuckDB removes spill files as it goes
                total += os.stat(os.path.join(root, name)).st_blocks * 512
    return total


def _gib(size: float) -> float:
    return round(size / 1024**3, 2)


def _temp_directory(settings) -> Path:
    """DuckDB's spill folder for the warehouse: dbt/profiles.yml's temp_directory default."""
    return Path(os.environ.get("CAREATLAS_DUCKDB_TEMP_DIRECTORY") or f"{settings.warehouse_path}.tmp")


def _settings(workdir: Path):
    from careatlas.shared.settings import Settings

    return Settings(lake=str(workdir / "lake"), warehouse_path=workdir / "warehouse.duckdb", log_level="WARNING")


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cpus": os.cpu_count(), "memory_gib": round(memory / 1024**3)}


if __name__ == "__main__":
    main()
