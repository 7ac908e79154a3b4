"""Run ids and lake keys cannot leave their place (review L4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from careatlas.shared import layout
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, LakeError


@pytest.mark.parametrize(
    ("run_id", "ok"),
    [("run-20250407T101500-00042", True), ("v20250407T1015-ab12cd", True), ("a.b_c-d", True), ("x" * 80, True),
     ("..", False), (".", False), ("...", False), ("run\n", False), ("a/b", False), ("", False), ("x" * 81, False),
     ("run id", False), ("ünï", False)],
)
def test_run_ids(run_id: str, ok: bool) -> None:
    if ok:
        assert layout.check_run_id(run_id) == run_id
    else:
        with pytest.raises(ValueError, match="run id must match"):
            layout.check_run_id(run_id)


@pytest.mark.parametrize("release", ["2025-04-07\n", "2025-4-07", "2025-02-30"])
def test_bad_releases(release: str) -> None:
    with pytest.raises(ValueError):
        layout.check_release(release)


@pytest.mark.parametrize("key", ["../outside.json", "runs/../../x", "/etc/passwd", "a/../../b", "\\\\share\\x"])
@pytest.mark.parametrize("root", ["local", "s3"])
def test_lake_keys_stay_inside_the_lake(tmp_path: Path, key: str, root: str) -> None:
    lake = Lake(str(tmp_path / "lake") if root == "local" else "s3://bucket/prefix", Settings())
    with pytest.raises(LakeError, match="points outside the lake"):
        lake.uri(key)
    assert lake.uri("runs/r1/manifest.json").endswith("runs/r1/manifest.json")
