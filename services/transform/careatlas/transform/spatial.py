"""Distance-based access at ZCTA level: the enhanced two-step floating catchment area (E2SFCA)
and the distance to the nearest provider. Pure: arrays in, arrays out (no I/O, no settings).

E2SFCA (Luo & Qi 2009, Health & Place 15(4):1100-1107), with distance bands ``b_1 < b_2 < ...``
and a weight per band (``bands``), ``w(d)`` = the weight of the band holding ``d``, 0 beyond:

    step 1, per supply point j:  R_j = S_j / sum_k w(d_kj) P_k    (providers per person)
    step 2, per demand point i:  A_i = sum_j w(d_ij) R_j           (providers per person)

Supply points with nobody in reach get no ratio (their supply reaches no one). Every provider in
reach of someone is shared out whole: ``sum_i P_i A_i = sum_j S_j`` over those supply points
(tested), so the index is a density that conserves providers.

Distances are straight-line (great-circle on a sphere of radius 3,958.8 miles), not road
distances: points become 3-D unit vectors, a KD-tree (scipy's cKDTree) finds pairs within the
outer band's chord, and chord c converts exactly to the arc 2 R asin(c / 2). Memory stays
bounded: supply points are processed in blocks, and only one block's pairs exist at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_MILES = 3958.8  # mean Earth radius (IUGG), in statute miles
SUPPLY_BLOCK = 2048  # supply points per block: bounds the pairs held at once


@dataclass(frozen=True)
class Band:
    upper_miles: float  # the band is (previous upper, upper_miles]; the first starts at 0
    weight: float


def unit_vectors(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of points given in decimal degrees."""
    lat, lon = np.radians(np.asarray(latitude, float)), np.radians(np.asarray(longitude, float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_of(miles: float) -> float:
    """Straight chord through the sphere between two points ``miles`` apart on its surface."""
    return 2.0 * np.sin(miles / (2.0 * EARTH_RADIUS_MILES))


def miles_of(chord: np.ndarray) -> np.ndarray:
    """Great-circle miles between points whose unit vectors are ``chord`` apart."""
    return 2.0 * EARTH_RADIUS_MILES * np.arcsin(np.clip(np.asarray(chord, float) / 2.0, 0.0, 1.0))


def check_bands(bands: Sequence[Band]) -> None:
    uppers = [band.upper_miles for band in bands]
    if not bands or uppers != sorted(set(uppers)) or uppers[0] <= 0:
        raise ValueError(f"distance bands must be positive and strictly increasing, got {uppers}")
    if any(not 0 < band.weight <= 1 for band in bands):
        raise ValueError(f"band weights must be in (0, 1], got {[b.weight for b in bands]}")


def band_weights(miles: np.ndarray, bands: Sequence[Band]) -> np.ndarray:
    """Weight of each distance: the weight of its band, 0 beyond the last band."""
    uppers = np.array([band.upper_miles for band in bands])
    weights = np.append([band.weight for band in bands], 0.0)
    return weights[np.searchsorted(uppers, miles, side="left")]


def _pairs(tree: cKDTree, points: np.ndarray, bands: Sequence[Band]):
    """(supply index within the block, demand index, weight) of every pair within the bands."""
    pairs = cKDTree(points).sparse_distance_matrix(
        tree, max_distance=chord_of(bands[-1].upper_miles), output_type="ndarray")
    return pairs["i"], pairs["j"], band_weights(miles_of(pairs["v"]), bands)


def e2sfca(
    demand: np.ndarray, population: np.ndarray, supply_points: np.ndarray, supply: np.ndarray,
    bands: Sequence[Band],
) -> np.ndarray:
    """Access A_i (providers per person) of each demand point; ``demand`` and ``supply_points``
    are unit vectors (``unit_vectors``), ``population`` people, ``supply`` providers."""
    check_bands(bands)
    population = np.asarray(population, float)
    access = np.zeros(len(demand))
    if len(demand) == 0 or len(supply_points) == 0:
        return access
    tree = cKDTree(demand)
    for start in range(0, len(supply_points), SUPPLY_BLOCK):
        block = slice(start, start + SUPPLY_BLOCK)
        j, i, w = _pairs(tree, supply_points[block], bands)
        reached = np.bincount(j, weights=w * population[i], minlength=len(supply_points[block]))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(reached > 0, np.asarray(supply, float)[block] / reached, 0.0)
        access += np.bincount(i, weights=w * ratio[j], minlength=len(demand))
    return access


def nearest_miles(demand: np.ndarray, supply_points: np.ndarray) -> np.ndarray:
    """Great-circle miles from each demand point to the nearest supply point (inf: none)."""
    if len(supply_points) == 0:
        return np.full(len(demand), np.inf)
    chord, _ = cKDTree(supply_points).query(demand, k=1)
    return miles_of(chord)
