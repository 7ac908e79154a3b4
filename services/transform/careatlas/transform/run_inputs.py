"""What a build reads, handed to dbt inside the warehouse (schema ``run_inputs``).

Not as ``--vars``: dbt re-parses the whole project whenever vars change, and the run id changes
every run (seconds of every build). The dbt project stays the same from run to run; before
``dbt build``, under the warehouse lock, ``write`` replaces

* ``run_inputs.build``: one row, the run id, whether it re-baselines, the reference
  fingerprint, the ACS vintage and the NPPES row counts ingest published for what it reads;
* ``run_inputs.nppes_releases``: the NPPES releases the per-NPI state is made of;
* ``run_inputs.lake_files``: for each lake input, the files it reads (a JSON list of URIs) and
  whether it is read for its columns only (``is_empty``).

dbt's on-run-start hook (macro ``create_run_input_views``) turns ``lake_files`` into views over
the lake's Parquet on dbt's own connection, which holds the S3 credentials; the sources
(dbt/models/**/_*__sources.yml) name those views.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careatlas.shared.storage import Lake
from careatlas.transform.inputs import BuildInputs

SCHEMA = "run_inputs"


def rows(plan: BuildInputs, lake: Lake, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of the three tables for run ``run_id`` of ``plan``.

    A weekly build reads the baseline full release for its columns only: the per-NPI models
    read just the weekly deltas, and staging tests then look at the records the run reads.
    """
    full_files = [lake.uri(k) for k in plan.full.files]
    weekly_files = [lake.uri(k) for w in plan.weeklies for k in w.files]
    census = {geo: [lake.uri(k) for k in plan.census_keys(geo)] for geo in ("county", "state")}
    lake_files = {
        # a weekly build needs the full release's columns, not its rows: one file gives them
        "nppes_npidata_full": (full_files if plan.rebaseline else full_files[:1], not plan.rebaseline),
        # no weekly delta yet: the full release's columns, no rows
        "nppes_npidata_weekly": (weekly_files or full_files[:1], not weekly_files),
        "nppes_deactivations": ([lake.uri(plan.deactivation_key)] if plan.deactivation_key else [], False),
        "census_acs5_county": (census["county"], False),
        "census_acs5_state": (census["state"], False),
        "nucc_taxonomy": ([lake.uri(plan.nucc_key)], False),
        "hud_zip_county": ([lake.uri(plan.hud_key)], False),
    }
    releases = [("npidata", "full", plan.full)] + [("npidata_weekly", "weekly", w) for w in plan.weeklies]
    return {
        "build": [{
            "run_id": run_id,
            "is_rebaseline": plan.rebaseline,
            "reference_fingerprint": plan.fingerprint,
            "acs_year": plan.acs_year,
            "nppes_full_rows": plan.full.rows if plan.rebaseline else 0,
            "nppes_weekly_rows": sum(w.rows for w in plan.weeklies),
        }],
        "nppes_releases": [
            {"dataset": dataset, "release_kind": kind, "release_date": r.release,
             "release_version": r.version, "published_rows": r.rows}
            for dataset, kind, r in releases
        ],
        "lake_files": [
            {"relation_name": name, "uris": json.dumps(uris), "is_empty": is_empty}
            for name, (uris, is_empty) in lake_files.items()
        ],
    }


_TABLES = {
    "build": (
        "run_id varchar not null, is_rebaseline boolean not null, reference_fingerprint varchar not null, "
        "acs_year integer, nppes_full_rows bigint not null, nppes_weekly_rows bigint not null"
    ),
    "nppes_releases": (
        "dataset varchar not null, release_kind varchar not null, release_date date not null, "
        "release_version varchar not null, published_rows bigint not null"
    ),
    "lake_files": "relation_name varchar not null, uris varchar not null, is_empty boolean not null",
}


def write(warehouse: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the run_inputs tables in one transaction. Hold the warehouse lock."""
    import duckdb

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("begin")
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, columns in _TABLES.items():
            con.execute(f"create or replace table {SCHEMA}.{name} ({columns})")
            records = tables[name]
            if records:
                names = list(records[0])
                con.executemany(
                    f"insert into {SCHEMA}.{name} ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
                    [[record[n] for n in names] for record in records],
                )
        con.execute("commit")
