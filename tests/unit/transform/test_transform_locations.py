"""Providers counted where they practise: the scenario lake with a pl_pfile ingested for its
baseline release, built at the primary address (default) and over all practice locations.

pl rows: a Carroll family physician (03818) also at 05753 Addison (twice, as 05753 and
057531234: one location); the Chittenden internist (05401) also at 05060 (75% Chittenden, 25%
Addison); the Chittenden family physician at its own primary ZIP (no change); the Addison
general practitioner at a Canadian address; a hospital (an organisation: not counted).
All locations: the Carroll FM 0.5 Carroll + 0.5 Addison; the internist 0.5 + 0.375 = 0.875
Chittenden, 0.125 Addison; the GP 0.5 Addison + 0.5 foreign.

Safety-net organisations (a weekly delta of 2025-01-14): FQHCs at 03818 (Carroll), 05060 (75%
Chittenden: placed whole there) and a Canadian address (outside counties), a rural health clinic
at 05753 (Addison), a community mental health center at 03813 (TOT_RATIO fallback, 75% Carroll).
"""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

import duckdb
import polars as pl
import pytest
from fixtures import scenario
from fixtures.scenario import ADDISON, CARROLL, CHITTENDEN, CHITTENDEN_FM, CHITTENDEN_IM
from fixtures.small_lake import Provider, SmallLake, make_npi

from careatlas.ingest.pipeline import ingest_file
from careatlas.nppes import schema as nppes_schema
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

CARROLL_FM, ADDISON_GP, HOSPITAL = make_npi(44), scenario.ADDISON_GP, make_npi(6)
PL_ROWS = [
    (CARROLL_FM, "VT", "05753", "US"), (CARROLL_FM, "VT", "057531234", "US"),
    (CHITTENDEN_IM, "VT", "05060", "US"), (CHITTENDEN_FM, "VT", "05401", "US"),
    (ADDISON_GP, "", "K1A0B1", "CA"), (HOSPITAL, "VT", "05753", "US"),
]


FQHC, RHC, CMHC = "261QF0400X", "261QR1300X", "261QM0801X"
ORGANISATIONS = [(200, FQHC, "03818", "NH", "US"), (201, FQHC, "05060", "VT", "US"), (202, FQHC, "K1A0B1", None, "CA"),
                 (203, RHC, "05753", "VT", "US"), (204, CMHC, "03813", "NH", "US")]


def write_organisations(lake) -> None:
    SmallLake(lake).nppes_release("2025-01-14", [
        Provider(make_npi(n), entity_type="2", taxonomies=[(code, "Y")], postal_code=postal, state=state,
                 country=country, last_update=date(2025, 1, 13))
        for n, code, postal, state, country in ORGANISATIONS], weekly=True)


def write_pl(folder) -> str:
    path = folder / f"pl_pfile_20050523-{scenario.FULL_RELEASE.replace('-', '')}.csv"
    lines = [",".join(f'"{c}"' for c in nppes_schema.PL_COLUMNS)]
    for npi, state, postal, country in PL_ROWS:
        lines.append(",".join(f'"{v}"' for v in (npi, "1 Main St", "", "Town", state, postal, country, "", "", "")))
    path.write_text("\r\n".join(lines) + "\r\n")
    return str(path)


def open_built(like, root, **values: Any):
    """A Built (tests/unit/transform/conftest.py) like ``like`` over ``root``, with more settings."""
    settings = Settings(lake=str(root / "lake"), warehouse_path=root / "warehouse.duckdb", **values)
    return type(like)(root, settings, Lake(settings.lake, settings), {})


def row(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows[0]


@pytest.fixture(scope="module")
def places(baseline, tmp_path_factory):
    """The baseline with its pl ingested, built in primary mode, then copied and rebuilt over all
    locations, then that copy's weekly build."""
    root = tmp_path_factory.mktemp("places")
    shutil.copytree(baseline.root, root / "primary")
    primary = open_built(baseline, root / "primary")
    ingest_file(write_pl(root), lake=primary.lake, workers=1, settings=primary.settings)
    write_organisations(primary.lake)
    primary.build("with-pl")
    shutil.copytree(root / "primary", root / "all")
    spread = open_built(baseline, root / "all", location_allocation="all_locations")
    spread.build("all-locations")
    return baseline, primary, spread


def test_primary_mode_with_pl_counts_as_before_and_reports_what_spreading_would_change(places) -> None:
    baseline, primary, _ = places
    assert primary.result["rebaseline"] and primary.result["inputs"]["nppes_pl"]["rows"] == len(PL_ROWS)
    before, after = baseline.mart("fct_county_access"), primary.mart("fct_county_access")
    for fips in (ADDISON, CARROLL, CHITTENDEN):
        assert row(after, county_fips=fips)["clinicians"] == row(before, county_fips=fips)["clinicians"]
    summary = primary.mart("fct_location_allocation_summary").to_dicts()[0]
    assert summary["location_allocation"] == "primary"
    assert (summary["providers_with_secondary_locations"], summary["providers_changed"],
            summary["counties_changed"]) == (4, 3, 3)
    assert summary["clinicians_moved"] == pytest.approx(0.125)
    counties = primary.mart("fct_county_location_allocation")
    addison = row(counties, county_fips=ADDISON)
    assert addison["clinicians_primary_address"] == row(before, county_fips=ADDISON)["clinicians"]
    assert addison["clinicians_change"] == pytest.approx(0.125)
    assert row(counties, county_fips=CARROLL)["providers_change"] == pytest.approx(-0.5)
    assert row(counties, county_fips=CHITTENDEN)["providers_change"] == pytest.approx(-0.125)


def test_all_locations_spreads_providers_in_equal_shares(places) -> None:
    baseline, primary, spread = places
    assert spread.result["rebaseline"] and spread.result["inputs"]["location_allocation"] == "all_locations"
    access, before = spread.mart("fct_county_access"), baseline.mart("fct_county_access")
    assert row(access, county_fips=ADDISON)["primary_care_providers"] == pytest.approx(3.125)
    assert row(access, county_fips=CHITTENDEN)["primary_care_providers"] == pytest.approx(1.875)
    assert row(access, county_fips=CARROLL)["primary_care_providers"] == pytest.approx(19.5)
    assert row(access, county_fips=CHITTENDEN)["is_primary_care_shortage"]  # 7,000 / 1.875 = 3,733
    outside = spread.mart("fct_providers_outside_counties").filter(location_class="foreign")["providers"].sum()
    assert outside == pytest.approx(1.5)  # the Canadian address of the baseline + half the GP
    # the same change, seen from the primary-mode build and from this one
    mine, theirs = (b.mart("fct_county_location_allocation") for b in (spread, primary))
    for fips in (ADDISON, CARROLL, CHITTENDEN):
        assert row(mine, county_fips=fips)["clinicians_all_locations"] == pytest.approx(
            row(theirs, county_fips=fips)["clinicians_all_locations"])
        assert row(mine, county_fips=fips)["clinicians_primary_address"] == pytest.approx(
            row(before, county_fips=fips)["clinicians"])


def test_a_weekly_move_respreads_incrementally(places) -> None:
    """The Chittenden FM moves to 05753 (Addison): its pl row at 05401 is now a second location."""
    _, _, spread = places
    scenario.write_weekly(spread.lake)
    result = spread.build("all-locations-weekly")
    assert not result["rebaseline"] and result["npis_changed"] == 3
    with duckdb.connect(str(spread.warehouse), read_only=True) as con:
        weights = dict(con.execute(
            "select county_fips, allocation_weight from intermediate.int_provider_locations_allocated where npi = ?",
            [CHITTENDEN_FM]).fetchall())
    assert weights == pytest.approx({ADDISON: 0.5, CHITTENDEN: 0.5})


def test_practitioners_needed_to_reach_the_hrsa_ratio(places) -> None:
    _, primary, _ = places
    needed = primary.mart("fct_county_practitioners_needed")
    # Addison: 10,000 people, high need (poverty 25%): 3,000:1 -> 3.33 needed, 3 there
    addison = row(needed, county_fips=ADDISON, measure="primary_care")
    assert addison["threshold_people_per_provider"] == 3000 and addison["is_short_at_this_supply"]
    assert addison["practitioners_needed"] == pytest.approx(10000 / 3000 - 3)
    # Belknap: 20,000 people, no primary-care physician, poverty exactly 20%: not high need
    belknap = row(needed, county_fips=scenario.BELKNAP, measure="primary_care")
    assert belknap["threshold_people_per_provider"] == 3500
    assert belknap["practitioners_needed"] == pytest.approx(20000 / 3500)
    # Carroll: 20 family physicians, one a resident (0.1 FTE), one stale (0.5): 18.6 FTE
    carroll = row(needed, county_fips=CARROLL, measure="primary_care")
    assert (carroll["providers"], carroll["providers_fte"]) == (20, pytest.approx(18.6))
    assert carroll["practitioners_needed"] == 0 and not carroll["is_short_at_this_supply"]
    # Chittenden: exactly 3,500:1 screens short and needs nothing more to reach the ratio
    chittenden = row(needed, county_fips=CHITTENDEN, measure="primary_care")
    assert chittenden["is_short_at_this_supply"] and chittenden["practitioners_needed"] == 0
    assert set(needed["measure"]) == {"primary_care", "primary_care_with_np_pa", "dental",
                                      "core_mental_health", "psychiatry"}


def test_safety_net_organisations_per_county(places) -> None:
    _, primary, _ = places
    net = primary.mart("fct_county_safety_net")
    counts = {r["county_fips"]: (r["fqhcs"], r["rural_health_clinics"], r["community_mental_health_centers"])
              for r in net.to_dicts()}
    assert counts[CARROLL] == (1, 0, 1) and counts[CHITTENDEN] == (1, 0, 0) and counts[ADDISON] == (0, 1, 0)
    assert net["fqhcs"].sum() == 2  # the Canadian FQHC is outside counties
    assert row(net, county_fips=ADDISON)["primary_care_practitioners_needed"] == pytest.approx(10000 / 3000 - 3)
    assert row(net, county_fips=ADDISON)["is_primary_care_shortage"]


SECOND_WEEKLY = "2025-01-26"


def write_second_weekly(lake) -> None:
    """A week after the organisations: the Carroll FM (a pl row at 05753) moves its primary
    address to 05401 (Chittenden), the Chittenden internist (a pl row at 05060) is deactivated;
    the Carroll FQHC moves to 05753 (Addison), the rural health clinic closes, the community
    mental health center becomes a hospital, and a new rural health clinic opens at 05401."""
    updated = date(2025, 1, 25)
    SmallLake(lake).nppes_release(SECOND_WEEKLY, [
        scenario._at(CARROLL_FM, scenario.FM, "05401", last_update=updated),
        Provider.deactivated_record(CHITTENDEN_IM, date(2025, 1, 24)),
        Provider(make_npi(200), entity_type="2", taxonomies=[(FQHC, "Y")], postal_code="05753", last_update=updated),
        Provider.deactivated_record(make_npi(203), date(2025, 1, 24)),
        Provider(make_npi(204), entity_type="2", taxonomies=[(scenario.HOSPITAL, "Y")], postal_code="03813",
                 state="NH", last_update=updated),
        Provider(make_npi(205), entity_type="2", taxonomies=[(RHC, "Y")], postal_code="05401", last_update=updated),
    ], weekly=True)


PER_NPI_TABLES = ("int_provider_locations_allocated", "int_provider_locations_compared",
                  "int_safety_net_organisations_placed")


def per_npi_rows(warehouse) -> dict[str, list[tuple]]:
    """The incremental per-NPI place tables, without the run that wrote each row."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(
                    f"select * exclude (applied_run_id) from intermediate.{table} order by all").fetchall()
                for table in PER_NPI_TABLES}


def written_by(warehouse, table: str, run_id: str) -> set[int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {npi for (npi,) in con.execute(
            f"select distinct npi from intermediate.{table} where applied_run_id = ?", [run_id]).fetchall()}


@pytest.mark.parametrize("mode", ["primary", "all_locations"])
def test_a_weekly_with_secondary_locations_and_safety_net_changes_equals_a_full_rebuild(
        places, tmp_path, mode: str) -> None:
    """int_provider_locations_compared and int_safety_net_organisations_placed are kept per NPI
    (delete the changed NPIs, append their rows): after a weekly they, the allocation and every
    mart equal a re-baseline over the same releases, in either allocation mode."""
    _, primary, spread = places
    source = primary if mode == "primary" else spread
    shutil.copytree(source.root, tmp_path / "copy")
    built = open_built(source, tmp_path / "copy", location_allocation=mode)
    write_second_weekly(built.lake)
    weekly = built.build("second-weekly")
    assert not weekly["rebaseline"] and weekly["npis_changed"] == 6
    # the weekly rewrote the changed NPIs of both tables and no other
    assert written_by(built.warehouse, "int_provider_locations_compared", "second-weekly") == {CARROLL_FM}
    assert written_by(built.warehouse, "int_safety_net_organisations_placed", "second-weekly") == {
        make_npi(200), make_npi(205)}
    net = built.mart("fct_county_safety_net")
    counts = {r["county_fips"]: (r["fqhcs"], r["rural_health_clinics"], r["community_mental_health_centers"])
              for r in net.to_dicts()}
    assert (counts[CARROLL], counts[CHITTENDEN], counts[ADDISON]) == ((0, 0, 0), (1, 1, 0), (1, 0, 0))
    summary = built.mart("fct_location_allocation_summary").to_dicts()[0]
    assert summary["location_allocation"] == mode
    assert summary["providers_with_secondary_locations"] == 3  # the internist is gone
    marts = {name: built.mart(name) for name in built.result["marts"] if "spatial_access" not in name}
    tables = per_npi_rows(built.warehouse)

    rebuilt = built.build("second-weekly-rebuilt", full_refresh=True)
    assert rebuilt["rebaseline"] is True
    for name, frame in marts.items():
        assert built.mart(name).equals(frame), f"{name} differs from a full rebuild"
    assert per_npi_rows(built.warehouse) == tables
