"""Reading a reference CSV as text with the columns a comparison needs, or an error naming the
file, what it should be and what it lacks."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def read_with(path: Path, required: tuple[str, ...], what: str, error: type[ValueError]) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise error(f"{path.name} is not {what}: missing {missing} (it has {', '.join(frame.columns[:8])})")
    return frame
