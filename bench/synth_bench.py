"""Generator benchmark: county-supply generation against the old population-proportional draw.

    uv run python bench/synth_bench.py [--rows 200000] [--repeat 2] [--workers 1]

Both write the same number of rows with the same seed, vendored reference files and workers:
  * baseline: ``generate_file(rows=N)`` (ZIPs by ZCTA population, one national taxonomy mix);
  * supply:   ``generate_file(rows=N, supply=SupplySpec(None))`` (county, kind, code, ZIP drawn
    from the county supply of docs/synthetic-nppes.md), after the supply is loaded once;
plus the one-off cost of loading the supply. Prints rows/s and the ratio supply / baseline as
Markdown. Wall time is reported, never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from careatlas.shared.reference_folder import VENDORED_DIR
from careatlas.synth.nppes import generate_file
from careatlas.synth.supply import SupplySpec, load_supply

RELEASE = date(2025, 4, 7)


def _best(rows: int, repeat: int, workers: int, supply: SupplySpec | None, folder: Path) -> float:
    best = float("inf")
    for n in range(repeat):
        started = time.perf_counter()
        generate_file(folder / f"bench-{n}.csv", rows=rows, seed=1, reference_dir=VENDORED_DIR, release=RELEASE,
                      workers=workers, supply=supply)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    spec = SupplySpec(None, RELEASE.year)
    started = time.perf_counter()
    load_supply(VENDORED_DIR, spec, 1)
    load_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        base = _best(args.rows, args.repeat, args.workers, None, Path(folder))
        supply = _best(args.rows, args.repeat, args.workers, spec, Path(folder))
    print(f"| generator ({args.rows:,} rows, {args.workers} worker(s), best of {args.repeat}) | seconds | rows/s |")
    print("|---|---|---|")
    print(f"| baseline: population-proportional | {base:.2f} | {args.rows / base:,.0f} |")
    print(f"| county supply | {supply:.2f} | {args.rows / supply:,.0f} |")
    print(f"| loading the supply (once per process) | {load_s:.2f} | |")
    print(f"\nratio supply / baseline (time): {supply / base:.2f}")


if __name__ == "__main__":
    main()
