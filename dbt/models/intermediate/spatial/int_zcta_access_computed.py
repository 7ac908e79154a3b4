"""E2SFCA access index and nearest-provider distance per ZCTA and discipline.

A dbt Python model so the computation runs inside `dbt build`, on dbt's own DuckDB connection,
in the embedded default and the Celery transform worker alike. The method lives in
careatlas.transform.access / careatlas.transform.spatial (unit-tested there); this file only
fetches the inputs as NumPy columns and hands back the result.
"""

from careatlas.transform import access


def model(dbt, session):
    dbt.config(materialized="table")
    zctas = dbt.ref("gazetteer_2023_zctas").query(
        "zctas",
        'select "ZCTA5" as zcta5, "Population" as population, "Latitude" as latitude, '
        '"Longitude" as longitude from zctas order by zcta5',
    ).fetchnumpy()
    supply = dbt.ref("int_zcta_supply").filter("is_at_zcta").fetchnumpy()
    bands = access.bands_of(dbt.ref("spatial_access_bands").fetchnumpy())
    return access.zcta_access(zctas, supply, bands)
