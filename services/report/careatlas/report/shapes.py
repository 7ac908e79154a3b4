"""County and state outlines for the map, from the Census cartographic boundary files that the
``plotly-geo`` package ships (``cb_2016_us_county_500k``, ``cb_2016_us_state_500k``).

Nothing is downloaded. The shapefiles (17 MB of counties) are read with ``pyshp``, simplified
with ``shapely`` to about 1 km and converted to GeoJSON once; the result (~1.8 MB) is cached
on disk, keyed by the plotly-geo version and the tolerance. The boundary files are US Census
Bureau works (public domain); plotly-geo is MIT-licensed. Nothing derived is vendored in the
repository.

The boundaries are 2016's: areas created since have no outline (Connecticut's planning regions,
09110-09190, which the ACS uses from the 2022 vintage on; Alaska's 02063 and 02066 from 2019).
The report lists the counties it could not draw.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

PACKAGE = "plotly-geo"
COUNTY_FILE = "cb_2016_us_county_500k"
STATE_FILE = "cb_2016_us_state_500k"
SOURCE = "US Census Bureau cartographic boundary files, 2016, 1:500,000 (via plotly-geo)"
TOLERANCE_DEG = 0.01  # ~1 km: county borders stay recognisable, the file shrinks tenfold
PRECISION_DEG = 0.001  # coordinates to ~100 m


class ShapesUnavailable(RuntimeError):
    """The package that ships the boundary files is not installed."""


@dataclass(frozen=True)
class Shapes:
    counties: dict[str, Any]  # GeoJSON FeatureCollection, feature id = 5-digit county FIPS
    states: dict[str, Any]  # feature id = 2-digit state FIPS
    source: str = SOURCE

    @property
    def county_ids(self) -> set[str]:
        return {feature["id"] for feature in self.counties["features"]}

    def points(self) -> dict[str, tuple[float, float]]:
        """A point inside each county (lon, lat), for markers."""
        return {f["id"]: (f["properties"]["lon"], f["properties"]["lat"]) for f in self.counties["features"]}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "careatlas" / "shapes"


def load_shapes(cache_dir: Path | None = None) -> Shapes:
    """County and state GeoJSON, converted on first use and read from the cache after."""
    folder = Path(cache_dir or default_cache_dir())
    return Shapes(
        counties=_cached(folder, COUNTY_FILE, with_points=True),
        states=_cached(folder, STATE_FILE, with_points=False),
    )


def _cached(folder: Path, name: str, *, with_points: bool) -> dict[str, Any]:
    path = folder / f"{name}-{_package_version()}-tol{TOLERANCE_DEG}.geojson"
    if path.is_file():
        try:
            cached: dict[str, Any] = json.loads(path.read_text())
            return cached
        except json.JSONDecodeError:
            log.warning("shape cache unreadable, converting again", path=str(path))
    collection = convert(_shapefile(name), with_points=with_points)
    log.info("county shapes converted", source=name, features=len(collection["features"]), path=str(path))
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(collection, separators=(",", ":")))
        os.replace(tmp, path)  # atomic: a concurrent report reads the old cache or the whole new one
    except OSError as error:  # a read-only home (a container): the report still works, only slower
        with contextlib.suppress(OSError):
            tmp.unlink()
        log.warning("shape cache not writable", path=str(path), error=str(error))
    return collection


def convert(shapefile_path: Path, *, with_points: bool) -> dict[str, Any]:
    """A shapefile with a GEOID field -> simplified GeoJSON features keyed by GEOID."""
    import shapefile
    import shapely
    from shapely.geometry import mapping, shape

    features = []
    with shapefile.Reader(str(shapefile_path)) as reader:
        for item in reader.iterShapeRecords():
            geometry = shape(item.shape.__geo_interface__)
            simple = shapely.set_precision(geometry.simplify(TOLERANCE_DEG, preserve_topology=True), PRECISION_DEG)
            if simple.is_empty:  # a speck below the precision: keep the original rather than lose it
                simple = geometry
            properties: dict[str, Any] = {"name": item.record["NAME"]}
            if with_points:
                point = geometry.representative_point()
                properties.update(lon=round(point.x, 4), lat=round(point.y, 4))
            features.append({"type": "Feature", "id": item.record["GEOID"], "properties": properties,
                             "geometry": mapping(simple)})
    return {"type": "FeatureCollection", "features": features}


def _shapefile(name: str) -> Path:
    try:
        folder = resources.files("_plotly_geo") / "package_data"
    except ModuleNotFoundError:
        raise ShapesUnavailable(
            f"{PACKAGE} is not installed: install the report extra (careatlas-cli[report])"
        ) from None
    path = Path(str(folder / f"{name}.shp"))
    if not path.is_file():
        raise ShapesUnavailable(f"{PACKAGE} {_package_version()} does not ship {name}.shp (looked in {folder})")
    return path


def _package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        raise ShapesUnavailable(
            f"{PACKAGE} is not installed: install the report extra (careatlas-cli[report])"
        ) from None
