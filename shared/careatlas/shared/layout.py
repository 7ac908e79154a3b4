"""Every key in the lake is built here, so the layout is one contract (docs/lake-layout.md).

Published datasets are versioned: files go to ``.../version=<id>/`` and become visible only
when the dataset's ``_published.json`` pointer is switched to that version (one atomic PUT).
Readers follow the pointer, so they see the previous version or the whole new one.
"""

from __future__ import annotations

import re
from datetime import date

NPPES_DATASETS = ("npidata", "npidata_weekly", "othername", "pl", "endpoint")

_RELEASE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RUN_ID = re.compile(r"[A-Za-z0-9_.-]{1,80}")


def check_release(release: str | date) -> str:
    text = release.isoformat() if isinstance(release, date) else str(release)
    if not _RELEASE.fullmatch(text):
        raise ValueError(f"release must be YYYY-MM-DD, got {text!r}")
    date.fromisoformat(text)
    return text


def check_run_id(run_id: str) -> str:
    """Run ids (and versions) become key segments: letters, digits, ``_.-``, not only dots."""
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id) or not run_id.strip("."):
        raise ValueError(f"run id must match {_RUN_ID.pattern} and not be only dots, got {run_id!r}")
    return run_id


# ---------------------------------------------------------------- raw landing zone (immutable)
def raw_file(source: str, release: str, filename: str) -> str:
    """Landed source files, kept byte-for-byte: ``raw/<source>/release=<date>/<file>``."""
    return f"raw/{source}/release={check_release(release)}/{filename}"


def raw_reference_upload(kind: str, sha256: str, filename: str) -> str:
    """A reference file uploaded by ``careatlas run`` from the CLI's machine, content-addressed:
    ``raw/reference/<kind>/sha256=<first 16>/<file>``."""
    return f"raw/reference/{kind}/sha256={sha256[:16]}/{filename}"


def raw_checksum(raw_key: str) -> str:
    return f"{raw_key}.sha256.json"


# ---------------------------------------------------------------- NPPES
def nppes_dataset(dataset: str) -> str:
    if dataset not in NPPES_DATASETS:
        raise ValueError(f"unknown NPPES dataset {dataset!r}; expected one of {NPPES_DATASETS}")
    return f"nppes/{dataset}"


def nppes_release(dataset: str, release: str) -> str:
    return f"{nppes_dataset(dataset)}/release={check_release(release)}"


def nppes_version(dataset: str, release: str, version: str) -> str:
    """Compacted Parquet of one published version: ``.../version=<v>/state=XX/part-NNN.parquet``."""
    return f"{nppes_release(dataset, release)}/version={check_run_id(version)}"


def nppes_part_file(dataset: str, release: str, version: str, state: str, n: int) -> str:
    """One compacted file of a state: ``.../version=<v>/state=XX/part-NNN.parquet``."""
    return f"{nppes_version(dataset, release, version)}/state={state}/part-{n:03d}.parquet"


_POINTER = "_published.json"


def nppes_pointer(dataset: str, release: str) -> str:
    return f"{nppes_release(dataset, release)}/{_POINTER}"


def is_nppes_pointer(key: str) -> bool:
    """Whether a listed key is a release's ``_published.json`` pointer."""
    return key.endswith(f"/{_POINTER}")


def nppes_staging(dataset: str, release: str, version: str) -> str:
    """Per-chunk outputs and split chunks before finalize; deleted once published."""
    return f"_staging/{dataset}/release={check_release(release)}/version={check_run_id(version)}"


def nppes_chunk_output(dataset: str, release: str, version: str, chunk: int, state: str) -> str:
    """One chunk's rows of one state; finalize concatenates a state's files into a few big ones."""
    return f"{nppes_staging(dataset, release, version)}/chunks/chunk={chunk:05d}/state={state}.parquet"


def nppes_chunk_quarantine(dataset: str, release: str, version: str, chunk: int) -> str:
    return f"{nppes_staging(dataset, release, version)}/quarantine/chunk={chunk:05d}.parquet"


def nppes_plan(dataset: str, release: str, version: str) -> str:
    return f"{nppes_staging(dataset, release, version)}/plan.json"


def nppes_chunk_result(dataset: str, release: str, version: str, chunk: int) -> str:
    return f"{nppes_staging(dataset, release, version)}/results/chunk={chunk:05d}.json"


def nppes_chunk_source(dataset: str, release: str, version: str, chunk: int) -> str:
    """Decompressed CSV piece of a .gz/.zip input (plain CSV is read in place with ranges)."""
    return f"{nppes_staging(dataset, release, version)}/source/chunk={chunk:05d}.csv"


def quarantine(dataset: str, release: str, version: str) -> str:
    """Rejected rows with their reason, chunk and line: one file per release version."""
    return f"quarantine/{dataset}/release={check_release(release)}/version={check_run_id(version)}/rows.parquet"


def nppes_manifest(dataset: str, release: str) -> str:
    return f"manifests/nppes/{dataset}/release={check_release(release)}.json"


# ---------------------------------------------------------------- reference data
# Reference datasets keep one data file per partition, with the metadata.json that describes it
# (rows, columns, checksum) in the same folder.
_DATA_FILE = "data.parquet"
_METADATA_FILE = "metadata.json"


def metadata_beside(data_key: str) -> str:
    """The ``metadata.json`` in the folder of a reference data file."""
    return f"{data_key.rsplit('/', 1)[0]}/{_METADATA_FILE}"


def is_data_file(key: str) -> bool:
    """Whether a listed key is a reference dataset's ``data.parquet``."""
    return key.endswith(f"/{_DATA_FILE}")


def census_acs5_root() -> str:
    """Every cached ACS 5-year table: ``reference/census/acs5/year=<Y>/geo=<geo>/...``."""
    return "reference/census/acs5"


def census_acs5(year: int, geo: str) -> str:
    """The folder of one cached ACS table (its data.parquet and metadata.json)."""
    return f"{census_acs5_root()}/year={int(year)}/geo={geo}"


def census_acs5_data(year: int, geo: str) -> str:
    return f"{census_acs5(year, geo)}/{_DATA_FILE}"


def census_acs5_metadata(year: int, geo: str) -> str:
    return f"{census_acs5(year, geo)}/{_METADATA_FILE}"


def nucc_taxonomy_root() -> str:
    return "reference/nucc_taxonomy"


def nucc_taxonomy(version: str) -> str:
    return f"{nucc_taxonomy_root()}/version={version}/{_DATA_FILE}"


def hud_zip_county_root() -> str:
    return "geographic/hud_zip_county"


def hud_zip_county(vintage: str) -> str:
    return f"{hud_zip_county_root()}/vintage={vintage}/{_DATA_FILE}"


def nppes_deactivations(report_date: str) -> str:
    return f"reference/nppes_deactivations/report_date={check_release(report_date)}/{_DATA_FILE}"


# Census products other than the ACS, landed as the Census Bureau publishes them: the offline
# demographics of the embedded default (population, age, poverty and income by county).
CENSUS_PRODUCTS = ("pep_population", "pep_agesex", "saipe")
_VINTAGE = re.compile(r"^\d{4}$")


def census_product_root(product: str) -> str:
    """Every vintage of one Census product: ``reference/census/<product>/vintage=<YYYY>/...``."""
    if product not in CENSUS_PRODUCTS:
        raise ValueError(f"unknown Census product {product!r}; expected one of {CENSUS_PRODUCTS}")
    return f"reference/census/{product}"


def census_product(product: str, vintage: str) -> str:
    """``reference/census/<product>/vintage=<YYYY>/data.parquet``: PEP totals (V2024), PEP
    age/sex (V2023) or SAIPE (2023), one file per vintage, beside its metadata.json."""
    root = census_product_root(product)
    if not _VINTAGE.match(str(vintage)):
        raise ValueError(f"vintage must be a year (YYYY), got {vintage!r}")
    return f"{root}/vintage={vintage}/{_DATA_FILE}"


# ---------------------------------------------------------------- partitions of listed keys
def partition_root(example_key: str, partition: str) -> str:
    """The dataset folder above a key's ``<partition>=`` segment (what to list for every value)."""
    if f"/{partition}=" not in example_key:
        raise ValueError(f"{example_key!r} has no {partition}= segment")
    return example_key.split(f"/{partition}=", 1)[0]


def segment_value(key: str, partition: str) -> str | None:
    """The value of a key's first ``<partition>=<value>`` segment, or None when it has none."""
    for segment in key.split("/")[1:]:
        name, sep, value = segment.partition("=")
        if sep and name == partition:
            return value
    return None


def partition_value(key: str, example_key: str, partition: str) -> str | None:
    """``key``'s ``<partition>=`` value when ``key`` has the shape of ``example_key`` (the same
    folders and file, any value in that one segment), else None."""
    root = partition_root(example_key, partition)
    rest = example_key[len(root) + len(partition) + 2:].partition("/")[2]
    tail = rf"/{re.escape(rest)}" if rest else ""
    match = re.fullmatch(rf"{re.escape(root)}/{re.escape(partition)}=([^/]+){tail}", key)
    return match.group(1) if match else None


# ---------------------------------------------------------------- runs and marts
_MANIFEST = "manifest.json"


def runs_root() -> str:
    return "runs"


def run_manifest(run_id: str) -> str:
    return f"{runs_root()}/{check_run_id(run_id)}/{_MANIFEST}"


def is_run_manifest(key: str) -> bool:
    return key.endswith(f"/{_MANIFEST}")


def run_tasks(run_id: str) -> str:
    """The folder of a run's task records (one JSON file per Celery task)."""
    return f"{runs_root()}/{check_run_id(run_id)}/tasks"


def run_task(run_id: str, task_id: str) -> str:
    return f"{run_tasks(run_id)}/{task_id}.json"


def run_dbt_results(run_id: str) -> str:
    return f"{runs_root()}/{check_run_id(run_id)}/dbt/run_results.json"


def marts_run(run_id: str) -> str:
    return f"marts/run={check_run_id(run_id)}"


def mart_file(run_id: str, name: str) -> str:
    """One exported mart: ``marts/run=<id>/<name>.parquet``."""
    return f"{marts_run(run_id)}/{name}.parquet"


def mart_name(run_id: str, key: str) -> str | None:
    """The mart a listed key of a run's folder is, or None (e.g. ``validation/`` files)."""
    prefix = f"{marts_run(run_id)}/"
    rest = key[len(prefix):] if key.startswith(prefix) else ""
    if not rest.endswith(".parquet") or "/" in rest:
        return None
    return rest.removesuffix(".parquet")


def marts_latest() -> str:
    return "marts/latest.json"


# ---------------------------------------------------------------- validation (careatlas validate)
VALIDATION_REFERENCES = ("chr", "hpsa", "ahrf")


def _check_reference(against: str) -> str:
    if against not in VALIDATION_REFERENCES:
        raise ValueError(f"unknown reference {against!r}; expected one of {VALIDATION_REFERENCES}")
    return against


def validation_table(run_id: str, against: str) -> str:
    """The per-county comparison of a run with a reference, beside the run's marts."""
    return f"{marts_run(run_id)}/validation/{_check_reference(against)}.parquet"


def validation_summary(run_id: str, against: str) -> str:
    """The overall figures of that comparison (what ``careatlas validate --json`` prints)."""
    return f"{marts_run(run_id)}/validation/{_check_reference(against)}.json"
