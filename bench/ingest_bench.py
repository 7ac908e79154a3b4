"""Ingest benchmark: the project's ingest against the stock tools, in one invocation.

    uv run python bench/ingest_bench.py --size 2GB [--workers 1,2] [--baselines polars,duckdb]

Generates (or reuses) an NPPES-format file with the project's generator, then runs, each in its
own process so peak RSS is its own:
  * careatlas ingest (land + plan + chunks + finalize) with N worker processes;
  * pl.scan_csv(all text).sink_parquet(one file)      -- the single-file baseline;
  * DuckDB COPY ... PARTITION_BY (state), memory_limit 4GB.
It prints wall time, throughput, peak RSS and ratios against the Polars baseline as Markdown.
Wall time is reported, never asserted.
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

HERE = Path(__file__).resolve().parent
PRACTICE_STATE = "Provider Business Practice Location Address State Name"

INGEST = """
import json, resource, sys
from careatlas.ingest.pipeline import ingest_file
from careatlas.shared.settings import Settings
from careatlas.shared.storage import open_lake
if __name__ == "__main__":
    src, lake, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = Settings(lake=lake)
    m = ingest_file(src, lake=open_lake(lake, settings), workers=workers, settings=settings)
    print(json.dumps({"rows": m.rows_read, "written": m.rows_written, "quarantined": m.rows_quarantined,
        "files": len(m.files), "chunks": len(m.chunks), "seconds": m.seconds,
        "worker_peak_rss": max(c.peak_rss_bytes for c in m.chunks),
        "parent_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

POLARS = """
import json, resource, sys
import polars as pl
src, out = sys.argv[1], sys.argv[2]
pl.scan_csv(src, infer_schema=False).sink_parquet(out)
print(json.dumps({"rows": pl.scan_parquet(out).select(pl.len()).collect().item(),
                  "parent_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

DUCKDB = """
import json, resource, sys
import duckdb
src, out, state = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET memory_limit='4GB'")
con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO '{out}' "
            f"(FORMAT parquet, PARTITION_BY (\\"{state}\\"))")
rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet')").fetchone()[0]
print(json.dumps({"rows": rows, "parent_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _burn(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def cpu_ceiling(n: int = 20_000_000) -> float:
    """Throughput of 2 processes over 1 on pure CPU work: what 2 workers can gain on this machine."""
    import multiprocessing

    alone = _burn(n)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_burn, [n, n])
        together = time.perf_counter() - started
    return 2 * alone / together


BURN = "import time\nt = 0\nfor i in range({n}): t += i * i\n"


def cpu_ceiling_sessions(n: int = 20_000_000) -> float:
    """The same, each process in its own session (so in its own autogroup, as a pod is in its cgroup)."""
    code = BURN.format(n=n)

    def together(count: int) -> float:
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", code], start_new_session=True) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - started

    return 2 * together(1) / together(2)


def parse_size(text: str) -> int:
    units = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
    for unit, factor in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> float:
    return os.getloadavg()[0]


def run(name: str, code: str, *args: str, env: dict | None = None) -> dict:
    load_before, cpu_before = load(), _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    result["cpu"] = _children_cpu() - cpu_before  # the process and every worker it reaped
    result["load"] = (load_before, load())
    return result


def generate(path: Path, size: int, seed: int, reference: Path | None) -> None:
    from careatlas.synth.nppes import generate_file

    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate_file(path, size_bytes=size, seed=seed, reference_dir=reference)
    print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="2GB")
    parser.add_argument("--workers", default="2,1", help="comma-separated worker counts to run")
    parser.add_argument("--baselines", default="polars,duckdb")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--reference", type=Path, default=os.environ.get("CAREATLAS_REFERENCE_DIR"))
    parser.add_argument("--keep", action="store_true", help="keep the generated file for the next run")
    parser.add_argument("--worker-sessions", default="no", choices=["no", "yes", "both"],
                        help="run each ingest worker in its own session (CAREATLAS_INGEST_WORKER_SESSIONS): "
                             "the kernel's autogroup scheduler then weighs it like a pod; 'both' runs each "
                             "worker count both ways")
    args = parser.parse_args()

    size = parse_size(args.size)
    source = args.out / f"gen-{args.size}-{args.seed}" / "npidata_pfile_20050523-20250407.csv"
    if not source.exists():
        generate(source, size, args.seed, args.reference)
    nbytes = source.stat().st_size
    results: dict[str, dict] = {}
    sessions = {"no": [False], "yes": [True], "both": [False, True]}[args.worker_sessions]
    for own in sessions:
        for workers in [int(w) for w in args.workers.split(",") if w]:
            lake = args.out / f"lake-{workers}"
            shutil.rmtree(lake, ignore_errors=True)
            # one core per worker, as a worker pod with a 1-CPU limit: scaling is then measurable
            name = f"careatlas ingest, {workers} worker(s)" + (", own sessions" if own else "")
            results[name] = run("ingest", INGEST, str(source), str(lake), str(workers), env={
                "CAREATLAS_INGEST_WORKER_THREADS": "1", "CAREATLAS_INGEST_WORKER_SESSIONS": str(own).lower()})
            shutil.rmtree(lake, ignore_errors=True)
    if "polars" in args.baselines:
        target = args.out / "polars.parquet"
        results["polars scan_csv -> sink_parquet (one file)"] = run("polars", POLARS, str(source), str(target))
        target.unlink(missing_ok=True)
    if "duckdb" in args.baselines:
        target = args.out / "duckdb"
        shutil.rmtree(target, ignore_errors=True)
        results["duckdb COPY PARTITION_BY (state), 4GB"] = run("duckdb", DUCKDB, str(source), str(target),
                                                                PRACTICE_STATE)
        shutil.rmtree(target, ignore_errors=True)
    ceilings = (cpu_ceiling(), cpu_ceiling_sessions()) if len(args.workers.split(",")) > 1 else None
    report(results, nbytes, args, ceilings)
    if not args.keep:
        shutil.rmtree(source.parent, ignore_errors=True)


def report(results: dict[str, dict], nbytes: int, args, ceiling: float | None) -> None:
    baseline = next((r["wall"] for n, r in results.items() if n.startswith("polars")), None)
    ones = {n.replace(", 1 worker(s)", ""): r for n, r in results.items() if ", 1 worker(s)" in n}
    print(f"\nFile: {nbytes / 1e9:.2f} GB, {next(iter(results.values()))['rows']:,} rows; "
          f"`uv run python bench/ingest_bench.py --size {args.size} --workers {args.workers}`\n")
    base_cpu = next((r["cpu"] for n, r in results.items() if n.startswith("polars")), None)
    print("| approach | wall s | MB/s | CPU s | peak RSS (worker / process) GiB | wall vs polars sink | "
          "CPU vs polars | "
          "load 1 min (before / after) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        worker = r.get("worker_peak_rss")
        rss = (f"{worker / 2**30:.2f} / " if worker else "") + f"{r['parent_peak_rss'] / 2**30:.2f}"
        ratio = f"{r['wall'] / baseline:.2f}x" if baseline else "-"
        cpu_ratio = f"{r['cpu'] / base_cpu:.2f}x" if base_cpu else "-"
        print(f"| {name} | {r['wall']:.1f} | {nbytes / 1e6 / r['wall']:.0f} | {r['cpu']:.1f} | {rss} | {ratio} | "
              f"{cpu_ratio} | {r['load'][0]:.1f} / {r['load'][1]:.1f} |")
    for name, r in results.items():
        if "seconds" in r:
            print(f"\n{name}: stages {json.dumps(r['seconds'])}; rows read {r['rows']:,} = written "
                  f"{r['written']:,} + quarantined {r['quarantined']:,}; {r['chunks']} chunks -> {r['files']} files")
            one = ones.get(name.split(", ", 1)[0] + ("" if "own sessions" not in name else ", own sessions"))
            one = one or ones.get("careatlas ingest")
            if one and r is not one:
                print(f"  throughput vs 1 worker: {one['wall'] / r['wall']:.2f}x "
                      f"(chunk stage {one['seconds']['chunks_wall'] / r['seconds']['chunks_wall']:.2f}x)")
    if ceiling:
        print(f"\nControl: 2 processes of pure-Python CPU work give {ceiling[0]:.2f}x the throughput of 1 in one "
              f"session (one autogroup: the ceiling for 2 workers in one session), {ceiling[1]:.2f}x each in its "
              f"own session (load {load():.1f}).")


if __name__ == "__main__":
    main()
