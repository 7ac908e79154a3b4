"""Spatial access benchmark: the E2SFCA + nearest-distance step at national size.

    uv run python bench/spatial_bench.py                      # 9.4 M providers, all 33,791 ZCTAs
    uv run python bench/spatial_bench.py --providers 500000   # a quick look

Input: every ZCTA of the Census Gazetteer 2023 (dbt/seeds/gazetteer_2023_zctas.csv) and a
Parquet file of 9.4 M providers, each at a ZCTA drawn in proportion to its population (so nearly
every ZCTA is a supply point: the worst case for the catchment search), with a discipline in
roughly national shares (primary care 3%, dental 2%, core mental health 12%, the rest none).

Two steps, each in its own child process (its own peak RSS), timed and compared:
* baseline: the plain county headcount, DuckDB `group by county, discipline` over the Parquet;
* e2sfca: the same providers grouped by ZIP and discipline (int_zcta_supply's query), then
  careatlas.transform.access.zcta_access: E2SFCA and nearest distance for all three disciplines.
Times are printed and saved to bench/out/spatial/results.json; nothing is asserted on them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "dbt" / "seeds" / "gazetteer_2023_zctas.csv"
SHARES = {"primary_care": 0.03, "dental": 0.02, "mental_health": 0.12}

BASELINE_SQL = """
    select county_fips, discipline, count(*) as providers
    from read_parquet(?) group by county_fips, discipline
"""
SUPPLY_SQL = """
    select zip5, discipline, count(*) as providers
    from read_parquet(?) where discipline is not null group by zip5, discipline
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=9_400_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "spatial")
    parser.add_argument("--child", choices=["baseline", "e2sfca"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    providers = args.workdir / "providers.parquet"
    if args.child:
        print(json.dumps(CHILDREN[args.child](providers)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    write_providers(providers, args.providers)
    results = {"providers": args.providers, "generate_s": round(time.monotonic() - started, 1),
               **{name: _child(name, args.workdir, args.providers) for name in CHILDREN}}
    results["e2sfca_vs_baseline"] = round(results["e2sfca"]["wall_s"] / results["baseline"]["wall_s"], 1)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def zctas() -> dict:
    import duckdb

    with duckdb.connect() as con:
        return con.execute(
            'select "ZCTA5" as zcta5, "Primary County" as county_fips, "Population" as population, '
            '"Latitude" as latitude, "Longitude" as longitude '
            "from read_csv(?, all_varchar = true) order by zcta5", [str(SEED)]
        ).fetchnumpy()


def write_providers(path: Path, count: int) -> None:
    import numpy as np
    import polars as pl

    places = zctas()
    population = places["population"].astype(float)
    rng = np.random.default_rng(20261202)
    at = rng.choice(len(population), size=count, p=population / population.sum())
    kinds = np.array([*SHARES, ""])
    kind = rng.choice(len(kinds), size=count, p=[*SHARES.values(), 1 - sum(SHARES.values())])
    pl.DataFrame({
        "npi": np.arange(count, dtype=np.int64),
        "zip5": np.asarray(places["zcta5"], dtype=object)[at].astype(str),
        "county_fips": np.asarray(places["county_fips"], dtype=object)[at].astype(str),
        "discipline": kinds[kind],
    }).with_columns(pl.col("discipline").replace("", None)).write_parquet(path)


def baseline(providers: Path) -> dict:
    import duckdb

    started = time.monotonic()
    with duckdb.connect() as con:
        rows = con.execute(BASELINE_SQL, [str(providers)]).fetchall()
    return {"wall_s": round(time.monotonic() - started, 2), "rows": len(rows), **_rss()}


def e2sfca(providers: Path) -> dict:
    import duckdb
    import numpy as np

    from careatlas.transform import access
    from careatlas.transform.spatial import Band

    started = time.monotonic()
    with duckdb.connect() as con:
        supply = con.execute(SUPPLY_SQL, [str(providers)]).fetchnumpy()
    grouped = time.monotonic()
    places = zctas()
    places["population"] = places["population"].astype(np.int64)
    places["latitude"], places["longitude"] = (places[c].astype(float) for c in ("latitude", "longitude"))
    result = access.zcta_access(places, supply, [Band(10, 1.0), Band(20, 0.68), Band(30, 0.22)])
    done = time.monotonic()
    reached = {d: int((supply["discipline"] == d).sum()) for d in SHARES}
    return {"wall_s": round(done - started, 2), "group_by_zip_s": round(grouped - started, 2),
            "e2sfca_and_nearest_s": round(done - grouped, 2), "zctas": len(places["zcta5"]),
            "rows": len(result["zcta_number"]), "supply_zctas": reached, **_rss()}


CHILDREN = {"baseline": baseline, "e2sfca": e2sfca}


def _rss() -> dict:
    return {"peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}


def _child(name: str, workdir: Path, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--workdir", str(workdir), "--providers", str(count)],
        check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
