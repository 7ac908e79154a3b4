"""Fixtures for the offline deployment checks: the repo, and each kustomize overlay rendered once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from k8s_render import ToolMissing, kustomize_build

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = ("local", "production")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay (and the base) rendered by kustomize, keyed by overlay name."""
    try:
        docs = {name: kustomize_build(REPO / "k8s" / "overlays" / name) for name in OVERLAYS}
        docs["base"] = kustomize_build(REPO / "k8s" / "base")
    except ToolMissing as exc:
        pytest.fail(str(exc))
    return docs


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered) -> tuple[str, list[dict[str, Any]]]:
    return request.param, rendered[request.param]
