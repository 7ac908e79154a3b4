"""Derive dbt/seeds/county_fips_harmonization.csv: county codes that changed between vintages.

Run from the repository root, with a reference folder laid out as ../shared/reference
(geo/gazetteer_2023_zctas.csv, census/offline/pep_v2024_county_totals.csv):

    uv run python dbt/scripts/county_fips_harmonization.py ../shared/reference \
        > dbt/seeds/county_fips_harmonization.csv

A row says: of the people of ``from_fips``, the share ``weight`` lives in ``to_fips``. Rows exist
in both directions, so a crosswalk in either geography lands on a demographic vintage in the other.

* Alaska 2019: Valdez-Cordova (02261) split into Chugach (02063) and Copper River (02066), by their
  Census 2020 base populations (PEP Vintage 2024 ESTIMATESBASE2020); each new area maps back whole.
* Renamed with a new code, same area: Shannon -> Oglala Lakota (46113 -> 46102, 2015) and
  Wade Hampton -> Kusilvak (02270 -> 02158, 2015), weight 1 both ways.
* Bedford city (51515) merged into Bedford County (51019) in 2013: 51515 -> 51019, weight 1 (the
  county is not split back: a vintage with both codes has 51019 itself).
* Connecticut 2022: the 8 counties (09001-09015) gave way to 9 planning regions (09110-09190).
  Planning regions are made of whole towns, and towns nest in the old counties, so each town sits
  in exactly one old county and one region. Town populations are the Census Gazetteer 2023 ZCTA
  populations (ACS 2018-2022) summed by each ZCTA's primary town (county subdivision), whose old
  county the Gazetteer gives; the town -> region membership below is the regions' published
  composition. Check: the regions' summed populations are within 2% of their PEP Census 2020 base
  (asserted). Approximation: a ZCTA counts wholly in its primary town (Union and Lisbon are no
  ZCTA's primary town, so their ~5,000 people count with a neighbour).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

# Connecticut planning region -> its towns' county subdivision codes (5-digit FIPS). Every code
# but Union's (77830) and Lisbon's (42950) is the primary town of a Gazetteer ZCTA.
REGION_TOWNS = {
    # Andover, Avon, Berlin, Bloomfield, Bolton, Canton, Columbia, Coventry, East Granby, East
    # Hartford, East Windsor, Ellington, Enfield, Farmington, Glastonbury, Granby, Hartford, Hebron,
    # Manchester, Mansfield, Marlborough, New Britain, Newington, Plainville, Rocky Hill, Simsbury,
    # Somers, Southington, South Windsor, Stafford, Suffield, Tolland, Vernon, West Hartford,
    # Wethersfield, Willington, Windsor, Windsor Locks
    "09110": ["01080", "02060", "04300", "05910", "06260", "12270", "16400", "17800", "22070",
        "22630", "24800", "25360", "25990", "27600", "31240", "32640", "37070", "37910", "44700",
        "44910", "45820", "50440", "52140", "60120", "65370", "68940", "69220", "70550", "71390",
        "72090", "74540", "76290", "78250", "82590", "84900", "85950", "87000", "87070"],
    # Bridgeport, Easton, Fairfield, Monroe, Stratford, Trumbull
    "09120": ["08070", "23890", "26620", "48620", "74190", "77200"],
    # Chester, Clinton, Cromwell, Deep River, Durham, East Haddam, East Hampton, Essex, Haddam,
    # Killingworth, Lyme, Middlefield, Middletown, Old Lyme, Old Saybrook, Portland, Westbrook
    "09130": ["14300", "15350", "18080", "19130", "20810", "22280", "22490", "26270", "35230",
        "40710", "44210", "47080", "47360", "57040", "57320", "61800", "81680"],
    # Ansonia, Beacon Falls, Bethlehem, Bristol, Cheshire, Derby, Middlebury, Naugatuck, Oxford,
    # Plymouth, Prospect, Seymour, Shelton, Southbury, Thomaston, Waterbury, Watertown, Wolcott,
    # Woodbury
    "09140": ["01220", "03250", "04930", "08490", "14160", "19550", "46940", "49950", "58300",
        "60750", "62290", "67610", "68170", "69640", "75730", "80070", "80490", "87560", "87910"],
    # Ashford, Brooklyn, Canterbury, Chaplin, Eastford, Hampton, Killingly, Plainfield, Pomfret,
    # Putnam, Scotland, Sterling, Thompson, Union, Voluntown, Woodstock
    "09150": ["01430", "09190", "12130", "13810", "21860", "36000", "40500", "59980", "61030",
        "62710", "67400", "73420", "75870", "77830", "78600", "88190"],
    # Barkhamsted, Burlington, Canaan, Colebrook, Cornwall, Goshen, Hartland, Harwinton, Kent,
    # Litchfield, Morris, New Hartford, Norfolk, North Canaan, Roxbury, Salisbury, Sharon,
    # Torrington, Warren, Washington, Winchester
    "09160": ["02760", "10100", "10940", "16050", "17240", "32290", "37140", "37280", "40290",
        "43370", "49460", "51350", "53470", "54030", "65930", "66420", "67960", "76570", "79510",
        "79720", "86440"],
    # Bethany, Branford, East Haven, Guilford, Hamden, Madison, Meriden, Milford, New Haven, North
    # Branford, North Haven, Orange, Wallingford, West Haven, Woodbridge
    "09170": ["04580", "07310", "22910", "34950", "35650", "44560", "46520", "47535", "52070",
        "53890", "54870", "57600", "78740", "82870", "87700"],
    # Bozrah, Colchester, East Lyme, Franklin, Griswold, Groton, Lebanon, Ledyard, Lisbon,
    # Montville, New London, North Stonington, Norwich, Preston, Salem, Sprague, Stonington,
    # Waterford, Windham
    "09180": ["06820", "15910", "23400", "29910", "33900", "34250", "42390", "42600", "42950",
        "48900", "52350", "55500", "56270", "62150", "66210", "71670", "73770", "80280", "86790"],
    # Bethel, Bridgewater, Brookfield, Danbury, Darien, Greenwich, New Canaan, New Fairfield, New
    # Milford, Newtown, Norwalk, Redding, Ridgefield, Sherman, Stamford, Weston, Westport, Wilton
    "09190": ["04720", "08210", "08980", "18500", "18850", "33620", "50580", "50860", "52630",
        "52980", "56060", "63480", "63970", "68310", "73070", "83430", "83500", "86370"],
}
CT_OLD_COUNTIES = [f"09{c:03d}" for c in range(1, 16, 2)]
WHOLE = [  # (from, to, change)
    ("46113", "46102", "Shannon County SD renamed Oglala Lakota County (2015), new code"),
    ("46102", "46113", "Oglala Lakota County SD was Shannon County before 2015"),
    ("02270", "02158", "Wade Hampton Census Area AK renamed Kusilvak Census Area (2015), new code"),
    ("02158", "02270", "Kusilvak Census Area AK was Wade Hampton Census Area before 2015"),
    ("51515", "51019", "Bedford city VA merged into Bedford County (2013)"),
    ("02063", "02261", "Chugach Census Area AK was part of Valdez-Cordova Census Area before 2019"),
    ("02066", "02261", "Copper River Census Area AK was part of Valdez-Cordova Census Area before 2019"),
]


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def connecticut_people(reference: Path) -> dict[tuple[str, str], int]:
    """People per (old county, planning region), from ZCTA populations by primary town."""
    region_of = {town: region for region, towns in REGION_TOWNS.items() for town in towns}
    people: dict[tuple[str, str], int] = defaultdict(int)
    for row in read_csv(reference / "geo" / "gazetteer_2023_zctas.csv"):
        county, town = row["Primary County"], row["Primary County Subdivision"][5:]
        if county.startswith("09"):
            people[(county, region_of[town])] += int(row["Population"])  # KeyError: an unknown town
    return people


def pep_base(reference: Path) -> dict[str, float]:
    rows = read_csv(reference / "census" / "offline" / "pep_v2024_county_totals.csv")
    return {row["fipscode"]: float(row["ESTIMATESBASE2020"]) for row in rows if row["countycode"] != "000"}


def shares(people: dict[tuple[str, str], int], by: int) -> list[tuple[str, str, float]]:
    """(from, to, weight) with ``by`` = 0 (old county -> region) or 1 (region -> old county)."""
    totals: dict[str, int] = defaultdict(int)
    for key, count in people.items():
        totals[key[by]] += count
    return [(key[by], key[1 - by], count / totals[key[by]]) for key, count in sorted(people.items()) if count]


def rows(reference: Path) -> list[dict[str, str]]:
    base = pep_base(reference)
    people = connecticut_people(reference)
    for region in REGION_TOWNS:
        summed = sum(count for (_, r), count in people.items() if r == region)
        assert abs(summed / base[region] - 1) < 0.02, (region, summed, base[region])
    out = []
    alaska = base["02063"] + base["02066"]
    for new in ("02063", "02066"):
        out.append(("02261", new, base[new] / alaska, "Valdez-Cordova Census Area AK split (2019): "
                    "share of its Census 2020 base population"))
    out += [(a, b, 1.0, note) for a, b, note in WHOLE]
    out += [(a, b, w, "Connecticut county -> planning region (2022): share of the county's people")
            for a, b, w in shares(people, 0)]
    out += [(a, b, w, "Connecticut planning region -> county (before 2022): share of the region's people")
            for a, b, w in shares(people, 1)]
    return [{"from_fips": a, "to_fips": b, "weight": f"{w:.6f}", "change": _change(a, b), "note": note}
            for a, b, w, note in sorted(out, key=lambda r: (r[0], r[1]))]


def _change(a: str, b: str) -> str:
    if a.startswith("09"):
        return "ct_planning_regions_2022"
    return {"02261": "ak_valdez_cordova_2019", "02063": "ak_valdez_cordova_2019", "02066": "ak_valdez_cordova_2019",
            "46113": "sd_oglala_lakota_2015", "46102": "sd_oglala_lakota_2015", "02270": "ak_kusilvak_2015",
            "02158": "ak_kusilvak_2015", "51515": "va_bedford_city_2013"}[a]


def main(reference: str) -> None:
    writer = csv.DictWriter(sys.stdout, ["from_fips", "to_fips", "weight", "change", "note"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(Path(reference)))


if __name__ == "__main__":
    main(sys.argv[1])
