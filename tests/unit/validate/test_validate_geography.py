"""A reference in another county geography lands on the run's counties through the seed."""

from __future__ import annotations

import polars as pl
import pytest

from careatlas.validate.geography import harmonization, onto_run_counties


def test_new_alaska_areas_add_up_onto_valdez_cordova_and_ct_counties_onto_regions() -> None:
    reference = pl.DataFrame({
        "county_fips": ["02063", "02066", "09003", "09013", "01001"],
        "providers": [2.0, 1.0, 100.0, 10.0, 8.0],
        "ratio": [3000.0, 3000.0, 1000.0, 2000.0, 1250.0],
        "flag": [True, False, False, False, True],
    })
    got = onto_run_counties(reference, ["02261", "09110", "01001", "01003"], sums=("providers",),
                            means=("ratio",), anys=("flag",))
    rows = {row["county_fips"]: row for row in got.iter_rows(named=True)}
    assert set(rows) == {"01001", "02261", "09110"}  # 01003: in neither geography
    assert rows["01001"] == {"county_fips": "01001", "providers": 8.0, "ratio": 1250.0, "flag": True,
                             "geography_basis": "reference"}
    # 02063 and 02066 each lie wholly in 02261 (weight 1 in the seed)
    assert (rows["02261"]["providers"], rows["02261"]["ratio"], rows["02261"]["flag"]) == (3.0, 3000.0, True)
    # Capitol planning region 09110: 91.8487% of Hartford County's people and all of Tolland's
    assert rows["09110"]["providers"] == pytest.approx(0.918487 * 100 + 10)
    assert rows["09110"]["ratio"] == pytest.approx((0.918487 * 1000 + 2000) / 1.918487)
    assert rows["09110"]["geography_basis"] == "harmonised"


def test_the_seed_read_is_the_dbt_seed() -> None:
    seed = harmonization()
    weight = seed.filter((pl.col("from_fips") == "09003") & (pl.col("to_fips") == "09110"))["weight"]
    assert weight.to_list() == [0.918487]
