"""The reference task body called directly, reading its source from S3 and landing in an S3 lake."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from careatlas.ingest.reference.tasks import load_reference
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration


def test_task_loads_an_s3_source_into_an_s3_lake(s3_env: dict[str, str], nucc_csv: Path) -> None:
    get_settings.cache_clear()
    bucket_root = s3_env["CAREATLAS_LAKE"].rsplit("/", 1)[0]
    Lake(bucket_root, Settings()).put_file("raw/nucc/nucc_taxonomy_251.csv", nucc_csv)
    assert load_reference.name == "ingest.load_reference" and load_reference.acks_late
    result = load_reference.run("nucc", f"{bucket_root}/raw/nucc/nucc_taxonomy_251.csv", lake=None)
    assert set(result) == {"key", "rows", "sha256"} and result["rows"] == 3
    lake = Lake(s3_env["CAREATLAS_LAKE"], Settings())
    frame = pl.read_parquet(lake.uri(result["key"]), storage_options=lake.polars_storage_options())
    assert frame["_source_file"].unique().to_list() == ["nucc_taxonomy_251.csv"]
    assert lake.read_json("reference/nucc_taxonomy/version=25.1/metadata.json")["source"] == (
        f"{bucket_root}/raw/nucc/nucc_taxonomy_251.csv"
    )
    get_settings.cache_clear()


OFFLINE = Path(__file__).resolve().parents[3] / "data" / "reference" / "census" / "offline"


@pytest.mark.parametrize(
    ("kind", "name", "key"),
    [
        ("pep_population", "pep_v2024_county_totals.csv", "reference/census/pep_population/vintage=2024/data.parquet"),
        ("pep_agesex", "pep_v2023_county_agesex.csv", "reference/census/pep_agesex/vintage=2023/data.parquet"),
        ("saipe", "saipe_2023_county.csv", "reference/census/saipe/vintage=2023/data.parquet"),
    ],
)
def test_task_takes_the_offline_demographics(s3_env: dict[str, str], kind: str, name: str, key: str) -> None:
    get_settings.cache_clear()
    bucket_root = s3_env["CAREATLAS_LAKE"].rsplit("/", 1)[0]
    Lake(bucket_root, Settings()).put_file(f"raw/census/{name}", OFFLINE / name)
    result = load_reference.run(kind, f"{bucket_root}/raw/census/{name}", lake=None)
    assert result["key"] == key and result["rows"] > 3000
    lake = Lake(s3_env["CAREATLAS_LAKE"], Settings())
    assert lake.read_json(key.replace("data.parquet", "metadata.json"))["vintage"] == key.split("vintage=")[1][:4]
    get_settings.cache_clear()
