"""A local server that answers like api.census.gov/data for ACS 5-year requests.

Shapes follow the real API: a JSON array of arrays, header first, geography columns last,
every cell a string (or null). Failure modes: no key -> 302 to /data/missing_key.html with
``X-DataWebAPI-KeyError: 1``; a wrong key -> 200 HTML "Invalid Key"; an unknown variable ->
400 ``error: unknown variable 'X'``; more than 50 names -> 400; and scripted 204, 429, 5xx
(whose page echoes the URL, key included, as real error pages can) and the 200 transient
"There was an error while running your query" body.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque

from fakes.http_server import LocalServer, Reply

VALID_KEY = "f4ke0c3n5u5k3y0000000000000000000000beef"
_ACS = re.compile(r"^/data/(\d{4})/(acs/acs5(?:/subject|/profile|/cprofile)?)$")
_VARIABLE = re.compile(r"^[A-Z]{1,2}\d{2,5}[A-Z]{0,2}(_C\d{2}|_\d{4})?_\d{3,4}[A-Z]{1,2}$")
_ENDPOINT_PREFIX = {"acs/acs5/subject": "S", "acs/acs5/profile": "DP", "acs/acs5/cprofile": "CP"}

STATES = {
    "01": "Alabama",
    "02": "Alaska",
    "06": "California",
    "09": "Connecticut",
    "11": "District of Columbia",
    "72": "Puerto Rico",
}
_COUNTIES = {
    "01001": "Autauga County",
    "01003": "Baldwin County",
    "01005": "Barbour County",
    "01007": "Bibb County",
    "01009": "Blount County",
    "02013": "Aleutians East Borough",
    "02020": "Anchorage Municipality",
    "02090": "Fairbanks North Star Borough",
    "06001": "Alameda County",
    "06037": "Los Angeles County",
    "06059": "Orange County",
    "06073": "San Diego County",
    "11001": "District of Columbia",
    "72001": "Adjuntas Municipio",
    "72003": "Aguada Municipio",
    "72005": "Aguadilla Municipio",
}
_CT_COUNTIES = {
    f"09{c}": f"{n} County"
    for c, n in [
        ("001", "Fairfield"),
        ("003", "Hartford"),
        ("005", "Litchfield"),
        ("007", "Middlesex"),
        ("009", "New Haven"),
        ("011", "New London"),
        ("013", "Tolland"),
        ("015", "Windham"),
    ]
}
_CT_REGIONS = {
    f"09{c}": f"{n} Planning Region"
    for c, n in [
        ("110", "Capitol"),
        ("120", "Greater Bridgeport"),
        ("130", "Lower Connecticut River Valley"),
        ("140", "Naugatuck Valley"),
        ("150", "Northeastern Connecticut"),
        ("160", "Northwest Hills"),
        ("170", "South Central Connecticut"),
        ("180", "Southeastern Connecticut"),
        ("190", "Western Connecticut"),
    ]
}
# cells the real API returns as annotations or nulls: (fips, variable) -> value. As in the real
# tables they are rare: with 24-25 counties, one missing value is under 5% of a measure (the
# completeness tests of int_county_demographics fail above that)
SPECIAL_CELLS: dict[tuple[str, str], str | None] = {
    ("02013", "B19013_001E"): "-666666666",
    ("72001", "B17001_002E"): "-888888888",
    ("11001", "B01001_049E"): None,
    ("06", "B19013_001E"): "-999999999",
}
TRANSIENT_BODY = (
    "There was an error while running your query.  We've logged the error and we'll correct it "
    "ASAP.  Sorry for the inconvenience."
)
INVALID_KEY_PAGE = (
    "<html><head><title>Invalid Key</title></head><body><h1>Invalid Key</h1><p>A valid "
    "<em>key</em> must be included with each data API request. You included a key with this "
    "request, however, it is not valid. Please check your key and try again.</p></body></html>"
)


def counties(year: int) -> dict[str, str]:
    ct = _CT_REGIONS if year >= 2022 else _CT_COUNTIES  # ACS 2022 switched CT to planning regions
    places = {**_COUNTIES, **ct}
    return {fips: f"{name}, {STATES[fips[:2]]}" for fips, name in sorted(places.items())}


# the default variables hang together as in a real table, so that marts built on the fake pass
# their range tests: age cells and poverty / uninsured counts are shares of the population,
# and the age cells of under-18 and 65+ never add up to more than the population
_UNDER_18 = {f"B01001_{n:03d}E" for n in (*range(3, 7), *range(27, 31))}  # 8 cells, ~2.8% each
_AGE_65_PLUS = {f"B01001_{n:03d}E" for n in (*range(20, 26), *range(44, 50))}  # 12 cells, ~1.4% each
_SHARES = {
    **dict.fromkeys(_UNDER_18, (0.018, 0.038)),
    **dict.fromkeys(_AGE_65_PLUS, (0.008, 0.020)),
    "B17001_001E": (0.95, 0.99),  # poverty universe
    "B27010_001E": (0.97, 0.995),  # insurance universe
    **dict.fromkeys(["B27010_017E", "B27010_033E", "B27010_050E", "B27010_066E"], (0.004, 0.04)),
}


def _unit(year: int, fips: str, variable: str) -> float:
    digest = hashlib.sha256(f"{year}|{fips}|{variable}".encode()).digest()
    return int.from_bytes(digest[:4]) / 2**32


def value(year: int, fips: str, variable: str) -> str | None:
    if (fips, variable) in SPECIAL_CELLS:
        return SPECIAL_CELLS[(fips, variable)]
    population = int(_unit(year, fips, "B01003_001E") * 900_000) + 1_000
    if variable == "B01003_001E":
        return str(population)
    if variable == "B17001_002E":  # below poverty: 6-35% of the poverty universe
        universe = int(value(year, fips, "B17001_001E") or population)
        return str(int(universe * (0.06 + 0.29 * _unit(year, fips, variable))))
    if variable == "B19013_001E":
        return str(int(30_000 + 90_000 * _unit(year, fips, variable)))
    if variable in _SHARES:
        low, high = _SHARES[variable]
        return str(int(population * (low + (high - low) * _unit(year, fips, variable))))
    return str(int(_unit(year, fips, variable) * 900_000) + 100)


class FakeCensus(LocalServer):
    def __init__(self, valid_keys: tuple[str, ...] = (VALID_KEY,)) -> None:
        super().__init__(self._acs)
        self.valid_keys = set(valid_keys)
        self.unknown: set[str] = set()  # extra names the fake calls unknown
        self.catalogs: dict[tuple[int, str], set[str]] = {}  # real variables.json names, if set
        self.retry_after = "0"  # seconds a scripted 429 asks the client to wait
        self._script: deque[str] = deque()

    @property
    def url(self) -> str:
        return self.root + "/data"

    def fail_next(self, *kinds: str) -> None:
        """Answer the next requests with: 429, 503, 500, transient, 204 (one per request)."""
        self._script.extend(kinds)

    def recover(self) -> None:
        """Forget the scripted failures not yet served: the outage is over."""
        self._script.clear()

    def data_calls(self) -> list:
        return [seen for seen in self.seen if _ACS.match(seen.path)]

    # ------------------------------------------------------------------ the API
    def _acs(self, path: str, params: dict[str, str], full_url: str) -> Reply:
        if path == "/data/missing_key.html":
            return Reply(200, b"<html><title>Missing Key</title></html>", {"Content-Type": "text/html"})
        match = _ACS.match(path)
        if not match or not 2009 <= int(match[1]) <= 2024:
            return Reply(
                404,
                f"<html><h1>404 Not Found</h1>{full_url}</html>".encode(),
                {"Content-Type": "text/html"},
            )
        if "key" not in params:
            return Reply(302, b"", {"Location": "/data/missing_key.html", "X-DataWebAPI-KeyError": "1"})
        if params["key"] not in self.valid_keys:
            return Reply(200, INVALID_KEY_PAGE.encode(), {"Content-Type": "text/html;charset=utf-8"})
        if self._script:
            return self._scripted(self._script.popleft(), full_url)
        return self._table(int(match[1]), match[2], params)

    def _scripted(self, kind: str, full_url: str) -> Reply:
        if kind == "transient":
            return Reply(200, TRANSIENT_BODY.encode(), {"Content-Type": "text/plain"})
        if kind == "204":
            return Reply(204)
        page = f"<html><body><h1>Error {kind}</h1><p>while serving {full_url}</p></body></html>"
        headers = {"Content-Type": "text/html", **({"Retry-After": self.retry_after} if kind == "429" else {})}
        return Reply(int(kind), page.encode(), headers)

    def _table(self, year: int, dataset: str, params: dict[str, str]) -> Reply:
        names = params.get("get", "").split(",")
        if len(names) > 50:
            return _error("error: 'get' is limited to 50 variables")
        unknown = [n for n in names if n != "NAME" and not self._known(year, dataset, n)]
        if unknown:
            return _error(f"error: unknown variable '{unknown[0]}'")
        geo = params.get("for")
        if geo == "state:*":
            places, geo_columns = {s: n for s, n in STATES.items()}, ["state"]
        elif geo == "county:*" and params.get("in", "state:*") == "state:*":
            places, geo_columns = counties(year), ["state", "county"]
        else:
            return _error("error: unknown/unsupported geography hierarchy")
        header = [*names, *geo_columns]
        rows = [
            [name if n == "NAME" else value(year, fips, n) for n in names] + [fips[:2], fips[2:]][: len(geo_columns)]
            for fips, name in places.items()
        ]
        body = json.dumps([header, *rows]).replace("],", "],\n").encode()
        return Reply(200, body, {"Content-Type": "application/json;charset=utf-8"})

    def _known(self, year: int, dataset: str, name: str) -> bool:
        if (year, dataset) in self.catalogs:
            return name in self.catalogs[(year, dataset)]
        prefix = _ENDPOINT_PREFIX.get(dataset)
        right_table = name.startswith(prefix) if prefix else name[0] in "BC"
        too_early = name.startswith("B27") and year < 2012
        return bool(_VARIABLE.match(name)) and right_table and not too_early and name not in self.unknown


def _error(text: str) -> Reply:
    return Reply(400, text.encode(), {"Content-Type": "text/plain;charset=utf-8"})
