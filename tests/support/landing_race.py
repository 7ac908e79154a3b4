"""Several lands of two different files under one raw name at once (review L5)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from careatlas.nppes import landing
from careatlas.shared.storage import Lake
from support import bad_files, nppes_rows

RELEASE = "2025-04-07"


def land_concurrently(lake: Lake, folder: Path, writers: int = 6) -> list[str | Exception]:
    """Several lands of two different files under one name at once; each returns its sha or error."""
    sources = []
    for n in range(2):
        path = folder / f"v{n}" / bad_files.NAME
        path.parent.mkdir()
        nppes_rows.write(path, nppes_rows.many(30 + n))
        sources.append(path)
    start, results = threading.Barrier(writers), [None] * writers

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = landing.land(lake, landing.source_file(str(sources[index % 2])), RELEASE)[1]
        except Exception as error:  # the loser's refusal is the expected outcome
            results[index] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def assert_one_winner(lake: Lake, results: list) -> None:
    key = f"raw/nppes/release={RELEASE}/{bad_files.NAME}"
    stored = hashlib.sha256(lake.read_bytes(key)).hexdigest()
    assert lake.read_json(f"{key}.sha256.json")["sha256"] == stored  # checksum and bytes agree
    winners = {r for r in results if isinstance(r, str)}
    assert winners == {stored}
    losers = [r for r in results if not isinstance(r, str)]
    assert losers and all("already holds a different file" in str(e) for e in losers)
