"""The spatial access table of dbt model int_zcta_access_computed: E2SFCA index and nearest
provider distance per ZCTA and discipline (careatlas.transform.spatial does the geometry).

Pure: columns in (dicts of NumPy arrays, as DuckDB's ``fetchnumpy`` gives them), columns out (a
dict of arrays DuckDB registers as a table). The dbt Python model only fetches and returns, so the
embedded default and the Celery transform worker run the same code inside ``dbt build``.
"""

from __future__ import annotations

import numpy as np

from careatlas.transform import spatial

DISCIPLINES = ("primary_care", "dental", "mental_health")


def bands_of(columns: dict[str, np.ndarray]) -> list[spatial.Band]:
    """Seed spatial_access_bands (band, upper_miles, weight) as bands in band order."""
    order = np.argsort(columns["band"])
    return [spatial.Band(float(columns["upper_miles"][k]), float(columns["weight"][k])) for k in order]


def zcta_access(
    zctas: dict[str, np.ndarray], supply: dict[str, np.ndarray], bands: list[spatial.Band],
) -> dict[str, np.ndarray]:
    """One row per ZCTA: zcta_number (the five-digit code as an integer), population (people) and
    per discipline d: d_providers (headcount at the ZCTA), d_access_per_100k (E2SFCA providers
    per 100,000 people) and d_nearest_provider_miles (great-circle; NaN, stored as null, when the
    discipline has nobody). Numeric columns only: DuckDB takes NumPy numbers as they are, while
    it converts strings one by one (6 s for 100,000 rows here)."""
    codes = np.asarray(zctas["zcta5"]).astype(str)
    points = spatial.unit_vectors(zctas["latitude"], zctas["longitude"])
    population = np.asarray(zctas["population"], float)
    position = {code: k for k, code in enumerate(codes)}
    columns = {"zcta_number": codes.astype(np.int32), "population": population.astype(np.int64)}
    for discipline in DISCIPLINES:
        providers = np.zeros(len(codes))
        mine = np.asarray(supply["discipline"]).astype(str) == discipline
        zips, counts = np.asarray(supply["zip5"])[mine].astype(str), np.asarray(supply["providers"])[mine]
        for zip5, count in zip(zips, counts, strict=True):
            if zip5 in position:  # a ZIP with no ZCTA is not placed (int_zcta_supply.is_at_zcta)
                providers[position[zip5]] += float(count)
        at = providers > 0
        nearest = spatial.nearest_miles(points, points[at])
        columns[f"{discipline}_providers"] = providers
        columns[f"{discipline}_access_per_100k"] = spatial.e2sfca(points, population, points[at], providers[at],
                                                                  bands) * 100_000
        columns[f"{discipline}_nearest_provider_miles"] = np.where(np.isfinite(nearest), nearest, np.nan)
    return columns
