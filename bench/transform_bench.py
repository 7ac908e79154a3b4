"""Transform benchmark: a full dbt build at national size, then a weekly incremental build.

    uv run python bench/transform_bench.py                       # 9.4 M providers
    uv run python bench/transform_bench.py --providers 500000    # a quick look

The input is written by tests/fixtures/national_lake.py straight into ingest's published
Parquet layout (the NPPES generator and ingest were not ready when this was written).
Each measured build runs in a fresh child process (`--step`), so its peak RSS is its own.
Times are printed and saved to bench/out/transform/results.json; nothing is asserted on them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    parser.add_argument("--step", choices=["full", "weekly", "rerun"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(_build(args.workdir, f"bench-{args.step}")))
        return
    print(json.dumps(run(args.providers, args.workdir), indent=2))


def run(providers: int, workdir: Path) -> dict:
    import shutil

    from fixtures import national_lake

    from careatlas.shared.settings import Settings
    from careatlas.shared.storage import Lake

    shutil.rmtree(workdir, ignore_errors=True)
    lake = Lake(str(workdir / "lake"), Settings())
    reference = REPO.parent / "shared" / "reference"
    started = time.monotonic()
    written = national_lake.build(lake, providers=providers, reference_dir=reference)
    results: dict = {"providers": providers, "input": written,
                     "input_seconds": round(time.monotonic() - started, 1), "machine": _machine()}
    results["full"] = _child(workdir, "full")
    national_lake.add_weekly(lake, full_providers=providers, reference_dir=reference)
    results["weekly"] = _child(workdir, "weekly")
    results["rerun"] = _child(workdir, "rerun")
    results["weekly_vs_full_pct"] = round(100 * results["weekly"]["wall_s"] / results["full"]["wall_s"], 1)
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    return results


def _child(workdir: Path, step: str) -> dict:
    started = time.monotonic()
    output = subprocess.run(
        [sys.executable, __file__, "--workdir", str(workdir), "--step", step],
        check=True, capture_output=True, text=True,
    ).stdout
    wall = time.monotonic() - started
    summary = json.loads(output.strip().splitlines()[-1])
    summary["wall_s"] = round(wall, 1)  # includes Python and dbt start-up
    print(f"{step}: {summary['wall_s']} s, peak RSS {summary['peak_rss_gib']} GiB", file=sys.stderr)
    return summary


def _build(workdir: Path, run_id: str) -> dict:
    from careatlas.shared.settings import Settings
    from careatlas.transform.build import build_marts

    settings = Settings(lake=str(workdir / "lake"), warehouse_path=workdir / "warehouse.duckdb",
                        log_level="WARNING")
    result = build_marts(None, run_id, settings=settings)
    summary = {key: result[key] for key in ("rebaseline", "npis_changed", "timings_s", "tests", "marts")}
    # ru_maxrss is KiB on Linux: this process's own peak (dbt runs in-process)
    summary["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
    return summary


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3)}


if __name__ == "__main__":
    main()
