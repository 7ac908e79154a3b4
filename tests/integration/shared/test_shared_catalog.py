"""Published-release pointers mean the same on a local lake and on S3: a dataset's listing never
includes another dataset whose name merely starts with it (npidata vs npidata_weekly)."""

from __future__ import annotations

from pathlib import Path

import pytest

from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    if request.param == "local":
        return Lake(str(tmp_path / "lake"), Settings())
    return Lake(request.getfixturevalue("s3_env")["CAREATLAS_LAKE"], Settings())


def _release(dataset: str, release: str, kind: str) -> catalog.PublishedRelease:
    return catalog.PublishedRelease(
        dataset=dataset, release=release, kind=kind, version=f"v-{release}", files=[f"{dataset}/{release}.parquet"],
        rows=1, rows_quarantined=0, source_file=f"{release}.csv", source_sha256="0" * 64,
    )


def test_a_full_releases_listing_holds_no_weekly(lake: Lake) -> None:
    catalog.publish(lake, _release("npidata", "2024-01-07", "full"))
    for week in ("2024-01-14", "2024-01-21"):
        catalog.publish(lake, _release("npidata_weekly", week, "weekly"))

    fulls = catalog.list_published(lake, "npidata")
    weeklies = catalog.list_published(lake, "npidata_weekly")
    assert [(r.dataset, r.release) for r in fulls] == [("npidata", "2024-01-07")]
    assert [r.release for r in weeklies] == ["2024-01-14", "2024-01-21"]
