"""Practice-locations benchmark: a full embedded build (references, ingest, dbt) of one synthetic
monthly zip with its companions (pl, othername, endpoint) and all_locations allocation, against
the same build of the same main file without companions (primary address), in one script.

    nice -n 10 python3 -m uv run python bench/places_bench.py --providers 300000
    nice -n 10 python3 -m uv run python bench/places_bench.py --providers 9400000   # national

The zip comes from the synthetic generator (careatlas.synth, SECONDARY_LOCATION_SHARE 0.12, as
in real 2026 NPPES); the baseline zip holds the same npidata member and no companions. Each build
runs in its own child process on its own lake and warehouse (cold start, like a fresh worker);
peak RSS is the child's and its ingest workers'. Times are printed and saved to
bench/out/places/results.json; the ratio is with / without. Nothing is asserted on them.
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
import zipfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DO_NOT_TRACK", "1")
RELEASE = date(2025, 4, 7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=300_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "places")
    parser.add_argument("--reuse-inputs", action="store_true", help="Keep the zips of the last run (same --providers).")
    parser.add_argument("--child", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.workdir, args.child)))
        return
    print(json.dumps(run(args.providers, args.workdir, reuse=args.reuse_inputs), indent=2))


def run(providers: int, workdir: Path, *, reuse: bool = False) -> dict:
    started = time.monotonic()
    if reuse and (workdir / "sizes.json").exists():
        sizes = json.loads((workdir / "sizes.json").read_text())
        for mode in ("with", "without"):
            shutil.rmtree(workdir / mode, ignore_errors=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        sizes = _inputs(workdir, providers)
        (workdir / "sizes.json").write_text(json.dumps(sizes))
    results: dict = {"providers": providers, "input_seconds": round(time.monotonic() - started, 1), **sizes,
                     "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    for mode in ("without", "with"):
        out = subprocess.run([sys.executable, __file__, "--workdir", str(workdir), "--child", mode],
                             capture_output=True, text=True, env=os.environ)
        if out.returncode:
            raise SystemExit(f"{mode} build failed:\n{out.stderr[-4000:]}")
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    results["ratio_with_over_without"] = {
        key: round(results["with"][key] / results["without"][key], 3)
        for key in ("total_s", "ingest_s", "transform_s", "peak_rss_mib") if results["without"][key]
    }
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    return results


def _inputs(workdir: Path, providers: int) -> dict:
    from careatlas.shared.reference_folder import VENDORED_DIR, reference_dir
    from careatlas.synth.deactivations import deactivations_from_file, write_deactivation_report
    from careatlas.synth.zip_layout import write_monthly_zip

    reference = reference_dir(None, None) or VENDORED_DIR
    with_dir, without_dir = workdir / "input-with", workdir / "input-without"
    write_monthly_zip(with_dir, rows=providers, seed=2025, reference_dir=reference, release=RELEASE)
    with_zip = next(with_dir.glob("*.zip"))
    without_dir.mkdir()
    without_zip = without_dir / with_zip.name
    with zipfile.ZipFile(with_zip) as source, zipfile.ZipFile(without_zip, "w", zipfile.ZIP_DEFLATED,
                                                                compresslevel=1) as target:
        for info in source.infolist():
            if info.filename.startswith("npidata_pfile_"):
                with source.open(info) as member, target.open(info.filename, "w", force_zip64=True) as copy:
                    shutil.copyfileobj(member, copy, 8 << 20)
        main = next(n for n in source.namelist() if n.startswith("npidata_pfile_") and "fileheader" not in n)
        plain = workdir / main
        with source.open(main) as member, plain.open("wb") as copy:
            shutil.copyfileobj(member, copy, 8 << 20)
        companion_rows = {name.split("_pfile_")[0]: _rows(source, name) for name in source.namelist()
                          if "_pfile_" in name and "fileheader" not in name and not name.startswith("npidata")}
    report = write_deactivation_report(workdir, deactivations_from_file(plain), RELEASE)
    plain.unlink()
    (workdir / "inputs.json").write_text(json.dumps({"with": str(with_zip), "without": str(without_zip),
                                                     "deactivations": str(report)}))
    return {"zip_bytes_with": with_zip.stat().st_size,
                                   "zip_bytes_without": without_zip.stat().st_size, "companion_rows": companion_rows}


def _rows(archive: zipfile.ZipFile, name: str) -> int:
    with archive.open(name) as member:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: member.read(8 << 20), b"")) - 1


def _child(workdir: Path, mode: str) -> dict:
    from careatlas.cli import reference_files
    from careatlas.cli.embedded import EmbeddedRun, run_embedded
    from careatlas.shared.logging import configure_logging
    from careatlas.shared.reference_folder import reference_dir
    from careatlas.shared.settings import Settings

    configure_logging("WARNING", "json")
    inputs = json.loads((workdir / "inputs.json").read_text())
    root = workdir / mode
    settings = Settings(lake=str(root / "lake"), warehouse_path=root / "warehouse.duckdb",
                        location_allocation="all_locations" if mode == "with" else "primary")
    references = reference_files.embedded_sources(reference_dir(None, None))
    references["deactivations"] = inputs["deactivations"]
    started = time.monotonic()
    result = run_embedded(settings, EmbeddedRun(nppes=inputs[mode], references=references, acs_year=None))
    total = time.monotonic() - started
    rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    timings = result["timings_s"]
    manifest = json.loads((root / "lake" / "manifests" / "nppes" / "npidata"
                           / f"release={RELEASE.isoformat()}.json").read_text())
    return {"total_s": round(total, 1), "ingest_s": timings["ingest_s"], "transform_s": timings["transform_s"],
            "references_s": timings["references_and_census_s"], "peak_rss_mib": round(rss / 1024),
            "rows_read": result["ingest"]["rows_read"],
            "companions": {k: {"rows_read": v["rows_read"], "rows_quarantined": v["rows_quarantined"]}
                           for k, v in manifest.get("companions", {}).items()},
            "dbt_tests": result["marts"]["tests"], "marts": len(result["marts"]["marts"])}


if __name__ == "__main__":
    main()
