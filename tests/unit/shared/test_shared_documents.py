"""The lake's JSON documents are written and read through their models (careatlas.shared.documents)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from careatlas.shared import catalog, layout
from careatlas.shared.documents import LatestPointer, RawChecksum, ReferenceMetadata, TaskRecord
from careatlas.shared.storage import Lake, open_lake


@pytest.fixture
def lake(tmp_path) -> Lake:
    return open_lake(str(tmp_path / "lake"))


def test_a_model_round_trips_through_the_lake(lake: Lake) -> None:
    record = TaskRecord(task_id="t-1", name="ingest.ingest_chunk", state="done", chunk=3, rows=10)
    key = layout.run_task("run-1", record.task_id)
    lake.write_model(key, record)
    assert lake.read_model(key, TaskRecord) == record
    assert json.loads(lake.read_bytes(key)) == record.model_dump(mode="json")


def test_a_missing_document_is_none_and_an_invalid_one_raises(lake: Lake) -> None:
    key = layout.raw_checksum(layout.raw_file("nppes", "2025-01-12", "npidata.csv"))
    assert lake.read_model_or_none(key, RawChecksum) is None
    assert lake.read_json_or_none(key) is None
    lake.write_json(key, {"bytes": 3})
    with pytest.raises(ValidationError):
        lake.read_model_or_none(key, RawChecksum)


def test_an_older_latest_pointer_reads_as_its_file_has_it(lake: Lake) -> None:
    """A pointer written before rows/tests/inputs existed, or with fields added since (demo)."""
    lake.write_json(layout.marts_latest(), {"run_id": "r1", "marts": {"m": "k"}, "synthetic_nppes": {"seed": 1}})
    assert catalog.read_latest(lake) == {"run_id": "r1", "marts": {"m": "k"}, "synthetic_nppes": {"seed": 1}}
    pointer = lake.read_model(layout.marts_latest(), LatestPointer)
    assert pointer.rows == {} and pointer.inputs == {} and pointer.dbt_run_results is None
    lake.write_model(layout.marts_latest(), pointer)
    assert lake.read_json(layout.marts_latest())["synthetic_nppes"] == {"seed": 1}


def test_no_latest_pointer_is_none(lake: Lake) -> None:
    assert catalog.read_latest(lake) is None


def test_reference_metadata_keeps_each_kinds_label(lake: Lake) -> None:
    data = layout.census_product("saipe", "2023")
    metadata = {"kind": "saipe", "key": data, "rows": 2, "columns": ["a"], "vintage": "2023", "label": "2023"}
    lake.write_model(layout.metadata_beside(data), ReferenceMetadata.model_validate(metadata))
    assert lake.read_json(layout.metadata_beside(data)) == metadata  # as given: no defaults added
