"""The lake contract: every key is built (and parsed) in ``careatlas.shared.layout``.

An AST scan of every module under ``shared/`` and ``services/*/careatlas`` fails, naming
file:line, on a string or f-string literal outside layout.py that looks like a lake key. Literals
that look like one but are not lake keys are listed in ALLOWED, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from careatlas.shared import layout

REPO = Path(__file__).resolve().parents[3]
LAYOUT = REPO / "shared" / "careatlas" / "shared" / "layout.py"

# what a lake key looks like: a partition segment, a contract file name, or a top-level prefix
KEY_LIKE = re.compile(
    r"(?:^|/)(?:state|version|release|run|vintage|year|geo|chunk)="
    r"|_published\.json|metadata\.json|data\.parquet|(?:^|/)part-"
    r"|^(?:nppes|census|marts|runs|raw|reference)/"
)

# (path relative to the repo, literal as the scan renders it: f-string fields are "{}") -> reason
ALLOWED: dict[tuple[str, str], str] = {
    ("services/cli/careatlas/cli/reference_files.py", "census/offline/pep_v2024_county_totals.csv"):
        "a file inside the ../shared/reference folder (EMBEDDED_FILES), not a lake key",
    ("services/cli/careatlas/cli/reference_files.py", "census/offline/pep_v2023_county_agesex.csv"):
        "a file inside the ../shared/reference folder (EMBEDDED_FILES), not a lake key",
    ("services/cli/careatlas/cli/reference_files.py", "census/offline/saipe_2023_county.csv"):
        "a file inside the ../shared/reference folder (EMBEDDED_FILES), not a lake key",
    ("services/synth/careatlas/synth/supply.py", "census/offline/pep_v2024_county_totals.csv"):
        "the generator reads the PEP file of the ../shared/reference folder, not the lake",
}


def modules() -> list[Path]:
    found = sorted((REPO / "shared").glob("careatlas/**/*.py"))
    found += sorted((REPO / "services").glob("*/careatlas/**/*.py"))
    return [path for path in found if path != LAYOUT]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def key_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of every string or f-string literal that looks like a lake key; f-string
    fields are rendered as ``{}``, docstrings are skipped."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if KEY_LIKE.search(text):
            found.append((node.lineno, text))
    return sorted(found)


def test_every_lake_key_is_built_in_layout():
    offenders = []
    for path in modules():
        relative = path.relative_to(REPO).as_posix()
        for line, text in key_literals(path.read_text()):
            if (relative, text) not in ALLOWED:
                offenders.append(f"{relative}:{line}: {text!r}")
    assert not offenders, (
        "lake keys built outside careatlas.shared.layout (add a builder or parser there and use it; "
        "a literal that is no lake key goes to ALLOWED with its reason):\n" + "\n".join(offenders)
    )


def test_allow_list_has_no_stale_entries():
    present = {
        (path.relative_to(REPO).as_posix(), text)
        for path in modules()
        for _line, text in key_literals(path.read_text())
    }
    assert not set(ALLOWED) - present, f"ALLOWED lists literals no module has: {sorted(set(ALLOWED) - present)}"


@pytest.mark.parametrize("source", [
    'key = f"{folder}/state={state}/part-{n:03d}.parquet"',
    'lake.write_json(f"{root}/metadata.json", {})',
    'LATEST = "marts/latest.json"',
    'prefix = f"runs/{run_id}/tasks/"',
    'pattern = re.compile(r"/year=(\\d{4})/")',
    'if key.endswith("geo=county/data.parquet"): pass',
    'x = [k for k in keys if k.endswith("/_published.json")]',
])
def test_the_scan_finds_key_literals(source):
    assert key_literals(source), source


@pytest.mark.parametrize("source", [
    '"""Writes ``marts/run=<id>/<mart>.parquet``."""',
    'def f():\n    """The metadata.json beside data.parquet."""',
    'columns = ["state", "release_date"]',
    'url = "https://example.org/data.csv"',
])
def test_the_scan_skips_docstrings_and_plain_text(source):
    assert not key_literals(source), source


def test_layout_parsers_match_the_builders():
    key = layout.census_product("saipe", "2023")
    assert layout.partition_value(key, layout.census_product("saipe", "2000"), "vintage") == "2023"
    assert layout.partition_value(layout.metadata_beside(key), key, "vintage") is None
    assert layout.partition_root(key, "vintage") == layout.census_product_root("saipe")
    assert layout.metadata_beside(key) == key.rsplit("/", 1)[0] + "/metadata.json"
    assert layout.is_data_file(key) and not layout.is_data_file(layout.metadata_beside(key))
    assert layout.census_acs5_data(2022, "county").startswith(layout.census_acs5(2022, "county") + "/")
    assert layout.segment_value(layout.census_acs5_data(2022, "county"), "geo") == "county"
    assert layout.segment_value(layout.census_acs5_data(2022, "county"), "year") == "2022"
    assert layout.segment_value(layout.marts_latest(), "run") is None
    part = layout.nppes_part_file("npidata", "2024-01-08", "r1", "CA", 2)
    assert part == layout.nppes_version("npidata", "2024-01-08", "r1") + "/state=CA/part-002.parquet"
    assert layout.segment_value(part, "version") == "r1"
    assert layout.is_nppes_pointer(layout.nppes_pointer("npidata", "2024-01-08"))
    assert layout.run_task("r1", "t-1").startswith(layout.run_tasks("r1") + "/")
    assert layout.is_run_manifest(layout.run_manifest("r1"))
    mart = layout.mart_file("r1", "county_supply")
    assert layout.mart_name("r1", mart) == "county_supply"
    assert layout.mart_name("r1", layout.validation_table("r1", "chr")) is None
    assert layout.mart_name("r2", mart) is None
