from __future__ import annotations

from pathlib import Path

import pytest
from report_marts import COUNTIES

from careatlas.report.shapes import Shapes, load_shapes
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

NO_OUTLINE = {"09110"}  # a Connecticut planning region: not in the 2016 boundary files


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"), Settings(lake=str(tmp_path / "lake")))


def _square(feature_id: str, x: float, y: float, **properties) -> dict:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Feature", "id": feature_id, "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.fixture
def tiny_shapes() -> Shapes:
    """One square per fixture county (but the planning region), centred points as markers."""
    counties = [
        _square(fips, -100.0 + 2 * i, 40.0, name=name, lon=-99.5 + 2 * i, lat=40.5)
        for i, (fips, name, *_rest) in enumerate(COUNTIES) if fips not in NO_OUTLINE
    ]
    states = [_square(code, -100.0 + 2 * i, 40.0, name=code) for i, code in enumerate(["50", "36", "48", "72", "06"])]
    return Shapes({"type": "FeatureCollection", "features": counties},
                  {"type": "FeatureCollection", "features": states})


@pytest.fixture(scope="session")
def shapes_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real boundary files converted once for the session (a few seconds)."""
    folder = tmp_path_factory.mktemp("shapes")
    load_shapes(folder)
    return folder
