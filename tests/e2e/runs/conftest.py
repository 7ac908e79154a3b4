"""The e2e run tests' deployment (tests/support/run_stack.py), one per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.run_stack import RunStack, open_stack


@pytest.fixture
def stack(tmp_path: Path, s3_endpoint: str) -> Iterator[RunStack]:
    with open_stack(tmp_path, s3_endpoint) as run_stack:
        yield run_stack
