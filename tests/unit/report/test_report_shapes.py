from __future__ import annotations

from pathlib import Path

import pytest
import shapefile
from shapely.geometry import Point, shape

from careatlas.report import shapes
from careatlas.report.shapes import convert, load_shapes


def _write_shapefile(path: Path, polygons: dict[str, list[list[float]]]) -> Path:
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as writer:
        writer.field("GEOID", "C", size=5)
        writer.field("NAME", "C", size=40)
        for geoid, ring in polygons.items():
            writer.poly([ring])
            writer.record(geoid, f"County {geoid}")
    return path


# a ring with many collinear points (clockwise, as shapefiles store outer rings)
DETAILED = [[-73.0, 44.0]] + [[-73.0, 44.0 + i / 1000] for i in range(1, 1000)] + [
    [-73.0, 45.0], [-72.0, 45.0], [-72.0, 44.0], [-73.0, 44.0]]
SPECK = [[-70.0, 40.0], [-70.0, 40.0002], [-69.9998, 40.0002], [-69.9998, 40.0], [-70.0, 40.0]]


def test_convert_keys_features_by_geoid_and_simplifies(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path / "counties", {"50007": DETAILED, "25019": SPECK})

    collection = convert(path.with_suffix(".shp"), with_points=True)

    by_id = {feature["id"]: feature for feature in collection["features"]}
    assert set(by_id) == {"50007", "25019"}
    outline = shape(by_id["50007"]["geometry"])
    assert len(by_id["50007"]["geometry"]["coordinates"][0]) < 10  # collinear points dropped
    assert outline.area == pytest.approx(1.0)
    point = by_id["50007"]["properties"]
    assert outline.contains(Point(point["lon"], point["lat"]))
    assert point["name"] == "County 50007"
    # smaller than the coordinate grid: kept as drawn rather than lost
    assert shape(by_id["25019"]["geometry"]).area == pytest.approx(0.0002 ** 2)


def test_points_are_left_out_when_not_asked_for(tmp_path: Path) -> None:
    path = _write_shapefile(tmp_path / "states", {"50": DETAILED})
    assert convert(path.with_suffix(".shp"), with_points=False)["features"][0]["properties"] == {"name": "County 50"}


def test_real_boundary_files_convert_to_every_county(shapes_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shapes, "convert", _must_not_convert)  # the session fixture filled the cache

    loaded = load_shapes(shapes_cache)

    assert len(loaded.counties["features"]) == 3233  # 50 states, DC and Puerto Rico, 2016
    assert {"50007", "06037", "72001", "02013"} <= loaded.county_ids
    assert "09110" not in loaded.county_ids  # Connecticut's planning regions came in 2022
    assert len(loaded.states["features"]) == 56
    lon, lat = loaded.points()["50007"]  # Chittenden County, Vermont
    assert -73.5 < lon < -72.7 and 44.2 < lat < 44.8
    size = sum(path.stat().st_size for path in shapes_cache.iterdir())
    assert size < 3_000_000  # small enough to inline in every report


def test_a_corrupt_cache_is_converted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = _write_shapefile(tmp_path / "tiny", {"50007": DETAILED}).with_suffix(".shp")
    monkeypatch.setattr(shapes, "_shapefile", lambda name: tiny)
    cache = tmp_path / "cache"
    load_shapes(cache)
    for path in cache.iterdir():
        path.write_text("{not json")

    loaded = load_shapes(cache)

    assert loaded.county_ids == {"50007"}
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp-")]


def test_a_missing_package_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise shapes.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(shapes.metadata, "version", not_installed)
    with pytest.raises(shapes.ShapesUnavailable, match=r"plotly-geo is not installed: .*careatlas-cli\[report\]"):
        load_shapes(Path("/nonexistent"))


def _must_not_convert(*args, **kwargs):
    raise AssertionError("converted again although the cache was there")


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = _write_shapefile(tmp_path / "tiny", {"50007": DETAILED}).with_suffix(".shp")
    monkeypatch.setattr(shapes, "_shapefile", lambda name: tiny)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    loaded = load_shapes(blocker / "cache")

    assert loaded.county_ids == {"50007"}
