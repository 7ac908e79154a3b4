"""Published NPPES releases and the marts `latest` pointer: the pointer files that make a release
(or a run's marts) visible, atomically.

Ingest writes a release's compacted Parquet under ``.../version=<v>/`` and then switches the
release's ``_published.json`` pointer to it in one PUT. Readers (transform, report) follow the
pointers and read exactly the files listed there, so they never see a half-written release.
"""

from __future__ import annotations

from typing import Any

from careatlas.shared import layout
from careatlas.shared.documents import LatestPointer, PublishedRelease
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


def read_latest(lake: Lake) -> dict[str, Any] | None:
    """``marts/latest.json`` (the marts readers see), validated by its model and returned as its
    file has it, or None when no run published marts yet."""
    pointer = lake.read_model_or_none(layout.marts_latest(), LatestPointer)
    return pointer.as_dict() if pointer else None
