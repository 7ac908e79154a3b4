"""E2SFCA and nearest distances against hand-computed values (careatlas.transform.spatial)."""

from __future__ import annotations

import numpy as np
import pytest

from careatlas.transform import spatial
from careatlas.transform.spatial import Band

BANDS = [Band(10, 1.00), Band(20, 0.68), Band(30, 0.22)]  # Luo & Qi 2009
MILES_PER_DEGREE = 2 * np.pi * spatial.EARTH_RADIUS_MILES / 360  # 69.0934 on a great circle


def on_equator(*miles_east: float) -> np.ndarray:
    return spatial.unit_vectors(np.zeros(len(miles_east)), np.array(miles_east) / MILES_PER_DEGREE)


def test_three_zctas_by_hand() -> None:
    # A at 0 mi, B at 6.9 mi (band 1 from A), C at 17.3 mi (band 2 from A, 10.4 mi from B: band 2)
    points = on_equator(0.0, 0.1 * MILES_PER_DEGREE, 0.25 * MILES_PER_DEGREE)
    population = np.array([1000, 2000, 500])
    supply = np.array([2.0, 0.0, 1.0])
    # step 1: R_A = 2 / (1.00*1000 + 1.00*2000 + 0.68*500); R_C = 1 / (0.68*1000 + 0.68*2000 + 1.00*500)
    r_a, r_c = 2 / 3340, 1 / 2540
    # step 2: A_A = A_B = 1.00 R_A + 0.68 R_C; A_C = 0.68 R_A + 1.00 R_C
    expected = [0.000866519, 0.000866519, 0.000800887]
    assert [1.00 * r_a + 0.68 * r_c, 0.68 * r_a + 1.00 * r_c] == pytest.approx(expected[1:], rel=1e-6)
    access = spatial.e2sfca(points, population, points[[0, 2]], supply[[0, 2]], BANDS)
    assert access == pytest.approx(expected, rel=1e-6)
    assert (access * population).sum() == pytest.approx(3.0)  # every provider shared out whole


def test_supply_out_of_reach_counts_for_no_one() -> None:
    points = on_equator(0.0, 45.0)  # 45 miles apart: beyond the 30-mile catchment
    access = spatial.e2sfca(points[:1], np.array([800]), points, np.array([1.0, 4.0]), BANDS)
    assert access == pytest.approx([1 / 800])
    unpopulated = spatial.e2sfca(points, np.array([0, 0]), points, np.array([1.0, 4.0]), BANDS)
    assert unpopulated.tolist() == [0.0, 0.0]


def test_many_supply_blocks_give_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    points = spatial.unit_vectors(rng.uniform(40, 41, 300), rng.uniform(-75, -73, 300))
    population, supply = rng.integers(0, 5000, 300), rng.integers(0, 4, 300).astype(float)
    whole = spatial.e2sfca(points, population, points, supply, BANDS)
    monkeypatch.setattr(spatial, "SUPPLY_BLOCK", 7)
    assert spatial.e2sfca(points, population, points, supply, BANDS) == pytest.approx(whole, rel=1e-12)
    reached = supply.sum()  # 300 points within ~70 miles: every supply point reaches people
    assert (whole * population).sum() == pytest.approx(reached)


@pytest.mark.parametrize(("miles", "weight"), [
    (0.0, 1.00), (10.0, 1.00), (10.001, 0.68), (20.0, 0.68), (29.999, 0.22), (30.0, 0.22), (30.001, 0.0),
])
def test_band_edges_belong_to_the_nearer_band(miles: float, weight: float) -> None:
    assert spatial.band_weights(np.array([miles]), BANDS)[0] == weight


def test_great_circle_distance_to_known_points() -> None:
    new_york, los_angeles = (40.7128, -74.0060), (34.0522, -118.2437)
    points = spatial.unit_vectors(np.array([new_york[0], los_angeles[0]]), np.array([new_york[1], los_angeles[1]]))
    # 2,445.6 miles by the haversine formula on a 3,958.8-mile sphere (the usual published 2,445-2,451)
    assert spatial.nearest_miles(points[:1], points[1:])[0] == pytest.approx(2445.6, abs=1.0)
    pole = spatial.unit_vectors(np.array([90.0]), np.array([0.0]))
    assert spatial.nearest_miles(on_equator(0.0), pole)[0] == pytest.approx(np.pi / 2 * spatial.EARTH_RADIUS_MILES)


def test_nearest_provider_is_the_closest_supply_point_and_none_is_infinite() -> None:
    supply = on_equator(0.0, 50.0, 120.0)
    assert spatial.nearest_miles(on_equator(40.0, 119.0), supply) == pytest.approx([10.0, 1.0])
    assert spatial.nearest_miles(on_equator(40.0), supply[:0]).tolist() == [np.inf]


@pytest.mark.parametrize("bands", [[], [Band(20, 1.0), Band(10, 0.5)], [Band(10, 1.5)], [Band(0, 1.0)]])
def test_bad_bands_are_refused(bands: list[Band]) -> None:
    with pytest.raises(ValueError, match="band"):
        spatial.check_bands(bands)
