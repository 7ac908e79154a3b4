"""Published NPPES releases: the pointer files that make a release visible, atomically.

Ingest writes a release's compacted Parquet under ``.../version=<v>/`` and then switches the
release's ``_published.json`` pointer to it in one PUT. Readers (transform, report) follow the
pointers and read exactly the files listed there, so they never see a half-written release.
"""

from __future__ import annotations

from careatlas.shared import layout
from careatlas.shared.documents import PublishedRelease
from careatlas.shared.storage import Lake


def publish(lake: Lake, release: PublishedRelease) -> None:
    lake.write_model(layout.nppes_pointer(release.dataset, release.release), release)


def read(lake: Lake, dataset: str, release: str) -> PublishedRelease | None:
    return lake.read_model_or_none(layout.nppes_pointer(dataset, release), PublishedRelease)


def list_published(lake: Lake, dataset: str) -> list[PublishedRelease]:
    """Every published release of a dataset, oldest first."""
    pointers = [k for k in lake.list(layout.nppes_dataset(dataset)) if layout.is_nppes_pointer(k)]
    releases = [lake.read_model(k, PublishedRelease) for k in pointers]
    return sorted(releases, key=lambda r: r.release)
