"""One naming rule for test files (README "Tests"): a test file is ``test_<folder>_<subject>.py``,
named after the folder it sits in (``runs`` may read ``run``), and no two share a name (pytest
imports them by base name). The ``repo`` folder holds the repository's own conventions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[2]


def collected_files() -> list[Path]:
    """Every file pytest would collect under tests/ (its default patterns)."""
    return sorted({*TESTS.rglob("test_*.py"), *TESTS.rglob("*_test.py")})


def follows_rule(path: Path) -> bool:
    folder = path.parent.name
    return any(path.name.startswith(f"test_{prefix}_") for prefix in {folder, folder.removesuffix("s")})


@pytest.mark.parametrize(("path", "follows"), [
    ("tests/unit/ingest/test_ingest_parse.py", True),
    ("tests/e2e/runs/test_run_faults.py", True),
    ("tests/deploy/test_deploy_compose.py", True),
    ("tests/unit/ingest/test_parse.py", False),
    ("tests/unit/ingest/test_parse_ingest.py", False),
    ("tests/unit/shared/test_sharedstorage.py", False),
    ("tests/unit/ingest/ingest_parse_test.py", False),
])
def test_the_rule_reads_the_folder_from_the_path(path: str, follows: bool) -> None:
    assert follows_rule(Path(path)) is follows


def test_every_test_file_is_named_after_its_folder() -> None:
    wrong = [str(path.relative_to(TESTS.parent)) for path in collected_files() if not follows_rule(path)]
    assert not wrong, f"name these test_<folder>_<subject>.py: {wrong}"


def test_no_two_test_files_share_a_name() -> None:
    shared = sorted(name for name, count in Counter(path.name for path in collected_files()).items() if count > 1)
    assert not shared, f"test files with the same name in two folders: {shared}"
