"""`make demo` from a checkout with no ../shared beside it and CAREATLAS_REFERENCE_DIR unset:
everything it needs comes from data/reference, and it says where its demographics came from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]
# build and run outputs that a fresh clone does not have
_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "lake",
                                     ".careatlas", "target", "logs", "*.duckdb*", "out")


def checkout_copy(target: Path) -> Path:
    """The working tree as a clone would have it (tracked and new files, nothing ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=False)
    if listed.returncode != 0:  # not a git checkout: copy the tree without build outputs
        shutil.copytree(REPO, target, ignore=_NOT_COPIED)
        return target
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_make_demo_runs_on_a_fresh_checkout(tmp_path: Path) -> None:
    checkout = checkout_copy(tmp_path.resolve() / "nowhere" / "repo")
    assert not (checkout.parent / "shared").exists()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREATLAS_", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"))}
    env["CAREATLAS_LOG_FORMAT"] = "json"
    done = subprocess.run(["make", "demo", "DEMO_ARGS=--rows 2000 --workers 1"], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    output = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "demographics: total population from Census PEP Vintage 2024" in output
    assert "population 65+ from Census PEP Vintage 2023" in output
    assert "poverty rate, median household income from Census SAIPE 2023" in output
    lake = checkout / "lake"
    assert (lake / "report.html").is_file()
    loaded = {p.parent.parent.name for p in (lake / "reference" / "census").glob("*/vintage=*/data.parquet")}
    assert loaded >= {"pep_population", "pep_agesex", "saipe"}
    meta = json.loads((lake / "reference" / "nucc_taxonomy" / "version=25.1" / "metadata.json").read_text())
    assert meta["source"] == str(checkout / "data" / "reference" / "nucc_taxonomy_251.csv")
    assert "ACS" not in output.split("demographics:", 1)[1].split("Most underserved", 1)[0]
