"""The dataset catalog (careatlas.shared.catalog) on a local lake: which releases are published,
in which order, and what the marts' ``latest`` pointer says. The same listing on S3 is in
tests/integration/shared/test_shared_catalog.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from careatlas.shared import catalog, layout
from careatlas.shared.documents import LatestPointer, PublishedRelease
from careatlas.shared.storage import Lake


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


def _release(release: str, *, dataset: str = "npidata", version: str | None = None) -> PublishedRelease:
    return PublishedRelease(
        dataset=dataset, release=release, kind="weekly" if dataset == "npidata_weekly" else "full",
        version=version or f"v-{release}", files=[f"nppes/{dataset}/release={release}/a.parquet"], rows=1,
        rows_quarantined=0, source_file=f"{release}.csv", source_sha256="0" * 64,
    )


def test_releases_are_listed_oldest_first_whatever_order_they_were_published_in(lake: Lake) -> None:
    for release in ("2024-03-03", "2023-12-03", "2024-01-07", "2024-02-04"):
        catalog.publish(lake, _release(release))
    assert [r.release for r in catalog.list_published(lake, "npidata")] == [
        "2023-12-03", "2024-01-07", "2024-02-04", "2024-03-03"]


def test_a_listing_holds_only_the_datasets_own_pointers(lake: Lake) -> None:
    """Whole key segments: npidata is not npidata_weekly, and a release's data files, staging and
    manifests are not pointers."""
    catalog.publish(lake, _release("2024-01-07"))
    catalog.publish(lake, _release("2024-01-14", dataset="npidata_weekly"))
    lake.put_bytes("nppes/npidata/release=2024-01-07/version=v-1/state=MT/part-000.parquet", b"x")
    lake.put_bytes(f"{layout.nppes_staging('npidata', '2024-02-04', 'v-2')}/chunk-0.parquet", b"x")
    lake.write_json(layout.nppes_manifest("npidata", "2024-02-04"), {"release": "2024-02-04"})
    assert [(r.dataset, r.release) for r in catalog.list_published(lake, "npidata")] == [("npidata", "2024-01-07")]
    assert [r.release for r in catalog.list_published(lake, "npidata_weekly")] == ["2024-01-14"]
    assert catalog.list_published(lake, "othername") == []


def test_publishing_a_release_again_switches_its_pointer(lake: Lake) -> None:
    catalog.publish(lake, _release("2024-01-07", version="v-old"))
    catalog.publish(lake, _release("2024-01-07", version="v-new"))
    assert catalog.read(lake, "npidata", "2024-01-07").version == "v-new"
    assert [r.version for r in catalog.list_published(lake, "npidata")] == ["v-new"]


def test_an_unpublished_release_reads_as_none(lake: Lake) -> None:
    catalog.publish(lake, _release("2024-01-07"))
    assert catalog.read(lake, "npidata", "2024-01-14") is None
    assert catalog.read(lake, "npidata_weekly", "2024-01-07") is None


def test_a_pointer_its_model_refuses_is_an_error_not_a_missing_release(lake: Lake) -> None:
    lake.write_json(layout.nppes_pointer("npidata", "2024-01-07"), {"dataset": "npidata"})
    with pytest.raises(ValidationError):
        catalog.read(lake, "npidata", "2024-01-07")
    with pytest.raises(ValidationError):
        catalog.list_published(lake, "npidata")


def test_latest_is_none_until_a_run_publishes_marts_then_as_its_file_has_it(lake: Lake) -> None:
    assert catalog.read_latest(lake) is None
    lake.write_model(layout.marts_latest(), LatestPointer(run_id="run-1", marts={"m": "marts/run=run-1/m.parquet"},
                                                          demo_note="kept"))
    latest = catalog.read_latest(lake)
    assert latest == lake.read_json(layout.marts_latest())
    assert latest["run_id"] == "run-1" and latest["demo_note"] == "kept" and "warnings" not in latest
    lake.write_json(layout.marts_latest(), {"marts": {}})  # no run_id: refused, not taken for "none yet"
    with pytest.raises(ValidationError):
        catalog.read_latest(lake)
