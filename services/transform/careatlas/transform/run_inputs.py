"""What a build reads, handed to dbt inside the warehouse (schema ``run_inputs``).

Not as ``--vars``: dbt re-parses the whole project whenever vars change, and the run id changes
every run (seconds of every build). The dbt project stays the same from run to run; before
``dbt build``, under the warehouse lock, ``write`` replaces

* ``run_inputs.build``: one row, the run id, whether it re-baselines, the reference
  fingerprint, the demographics product and its vintages (``acs_year`` or the PEP/SAIPE
  vintages) and the NPPES row counts ingest published for what it reads;
* ``run_inputs.nppes_releases``: the NPPES releases the per-NPI state is made of;
* ``run_inputs.lake_files``: for each lake input, the files it reads (a JSON list of URIs),
  whether it is read for its columns only (``is_empty``), and the rows its loader recorded in
  the metadata.json beside it (``expected_rows``; the staging row-count tests compare);
* ``run_inputs.demographic_sources``: each demographic measure's product, vintage and label.

An input the build does not read (the ACS tables of an offline build, an offline product of an
ACS build, a deactivation report not yet loaded) lists no files: the hook gives it its columns
and no rows.

dbt's on-run-start hook (macro ``create_run_input_views``) turns ``lake_files`` into views over
the lake's Parquet on dbt's own connection, which holds the S3 credentials; the sources
(dbt/models/**/_*__sources.yml) name those views.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careatlas.shared.storage import Lake
from careatlas.transform import state
from careatlas.transform.demographics import OFFLINE_PRODUCTS
from careatlas.transform.inputs import BuildInputs

SCHEMA = "run_inputs"
CENSUS_RELATIONS = ("census_acs5_county", "census_acs5_state",
                    *(f"census_{product}" for product in OFFLINE_PRODUCTS))


def rows(plan: BuildInputs, lake: Lake, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of the run_inputs tables for run ``run_id`` of ``plan``.

    A weekly build reads the baseline full release for its columns only: the per-NPI models
    read just the weekly deltas, and staging tests then look at the records the run reads.
    """
    full_files = [lake.uri(k) for k in plan.full.files]
    weekly_files = [lake.uri(k) for w in plan.weeklies for k in w.files]
    people = plan.demographics
    census = {name: ([lake.uri(people.keys[name])] if name in people.keys else [], False,
                     people.expected_rows.get(name) if name in people.keys else 0)
              for name in CENSUS_RELATIONS}
    lake_files = {
        # a weekly build needs the full release's columns, not its rows: one file gives them
        "nppes_npidata_full": (full_files if plan.rebaseline else full_files[:1], not plan.rebaseline, None),
        # no weekly delta yet: the full release's columns, no rows
        "nppes_npidata_weekly": (weekly_files or full_files[:1], not weekly_files, None),
        "nppes_deactivations": _reference(lake, plan, plan.deactivation_key),
        **census,
        "nucc_taxonomy": _reference(lake, plan, plan.nucc_key),
        "hud_zip_county": _reference(lake, plan, plan.hud_key),
        # secondary practice locations of the baseline release (none published: no rows)
        "nppes_pl": ([lake.uri(k) for k in plan.pl.files], False, plan.pl.rows) if plan.pl else ([], False, 0),
    }
    releases = [("npidata", "full", plan.full)] + [("npidata_weekly", "weekly", w) for w in plan.weeklies]
    return {
        "build": [{
            "run_id": run_id,
            "is_rebaseline": plan.rebaseline,
            "reference_fingerprint": plan.fingerprint,
            "demographics_product": people.product,
            "acs_year": people.acs_year,
            **{f"{product}_vintage": people.vintages.get(product) for product in OFFLINE_PRODUCTS},
            "nppes_full_rows": plan.full.rows if plan.rebaseline else 0,
            "nppes_weekly_rows": sum(w.rows for w in plan.weeklies),
            "location_allocation": plan.location_allocation,
        }],
        "nppes_releases": [
            {"dataset": dataset, "release_kind": kind, "release_date": r.release,
             "release_version": r.version, "published_rows": r.rows}
            for dataset, kind, r in releases
        ],
        "lake_files": [
            {"relation_name": name, "uris": json.dumps(uris), "is_empty": is_empty, "expected_rows": expected}
            for name, (uris, is_empty, expected) in lake_files.items()
        ],
        "demographic_sources": [
            {"measure": m.measure, "product": m.product, "vintage": m.vintage, "source_label": m.label}
            for m in people.measures
        ],
    }


def _reference(lake: Lake, plan: BuildInputs, key: str | None) -> tuple[list[str], bool, int | None]:
    """A reference input: its file and the rows its metadata.json records (0 when none is loaded)."""
    if key is None:
        return [], False, 0
    return [lake.uri(key)], False, plan.reference_rows.get(key)


_TABLES = {
    "build": (
        "run_id varchar not null, is_rebaseline boolean not null, reference_fingerprint varchar not null, "
        "demographics_product varchar not null, acs_year integer, pep_population_vintage integer, "
        "pep_agesex_vintage integer, saipe_vintage integer, "
        "nppes_full_rows bigint not null, nppes_weekly_rows bigint not null, location_allocation varchar not null"
    ),
    "nppes_releases": (
        "dataset varchar not null, release_kind varchar not null, release_date date not null, "
        "release_version varchar not null, published_rows bigint not null"
    ),
    "lake_files": (
        "relation_name varchar not null, uris varchar not null, is_empty boolean not null, expected_rows bigint"
    ),
    "demographic_sources": "measure varchar not null, product varchar, vintage integer, source_label varchar",
}


def write(warehouse: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the run_inputs tables in one transaction. Hold the warehouse lock."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with state.small_write(warehouse) as con:
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
