"""The headers each reference source must have (and how to recognise a file of another kind)."""

from __future__ import annotations

NUCC_COLUMNS = [
    "Code",
    "Grouping",
    "Classification",
    "Specialization",
    "Definition",
    "Notes",
    "Display Name",
    "Section",
]
HUD_COLUMNS = [
    "ZIP",
    "COUNTY",
    "USPS_ZIP_PREF_CITY",
    "USPS_ZIP_PREF_STATE",
    "RES_RATIO",
    "BUS_RATIO",
    "OTH_RATIO",
    "TOT_RATIO",
]
HUD_RATIOS = ["RES_RATIO", "BUS_RATIO", "OTH_RATIO", "TOT_RATIO"]
DEACTIVATION_COLUMNS = ["NPI", "NPPES Deactivation Date"]
# Census products other than the ACS: the columns a file must have (by name, in any order, among
# others). They are the columns of the vendored extracts in data/reference/census/offline/
# (data/reference/extract.py cuts exactly these), so the full file and the extract both load.
# PEP totals: the vintage's own POPESTIMATE<YYYY> column is required too (pep_population_columns).
PEP_POPULATION_COLUMNS = [
    "statecode", "countycode", "fipscode", "SUMLEV", "REGION", "DIVISION", "STNAME", "CTYNAME", "ESTIMATESBASE2020",
]
# the Census Bureau's own co-est<YYYY>-alldata.csv names the codes STATE and COUNTY; our copy
# (County Health Rankings' inputs) statecode and countycode, plus fipscode: the loader adds those
# three to the Census Bureau's file so every landed vintage has the same id columns
PEP_POPULATION_CENSUS_IDS = ["STATE", "COUNTY"]
PEP_AGESEX_COLUMNS = [
    "SUMLEV", "STATE", "COUNTY", "STNAME", "CTYNAME", "YEAR", "POPESTIMATE", "UNDER5_TOT", "AGE513_TOT",
    "AGE1417_TOT", "AGE18PLUS_TOT", "AGE1544_FEM", "AGE65PLUS_TOT", "MEDIAN_AGE_TOT",
]
SAIPE_COLUMNS = [
    "State FIPS Code", "County FIPS Code", "Postal Code", "Name", "Poverty Estimate, All Ages",
    "Poverty Percent, All Ages", "Poverty Estimate, Age 0-17", "Poverty Percent, Age 0-17",
    "Median Household Income",
]
PROVENANCE_COLUMNS = ["_source_file", "_source_sha256", "_loaded_at"]

LABELS = {
    "nucc": "NUCC taxonomy",
    "hud": "HUD ZIP->county crosswalk",
    "deactivations": "NPPES deactivation report",
    "pep_population": "Census PEP county population totals",
    "pep_agesex": "Census PEP county age/sex",
    "saipe": "Census SAIPE county poverty and income",
}
KNOWN = {
    "nucc": NUCC_COLUMNS,
    "hud": HUD_COLUMNS,
    "deactivations": DEACTIVATION_COLUMNS,
    "pep_agesex": ["STATE", "COUNTY", "YEAR", "AGE65PLUS_TOT"],
    "pep_population": ["STNAME", "CTYNAME", "DIVISION"],
    "saipe": ["State FIPS Code", "County FIPS Code", "Median Household Income"],
    "census ACS": ["NAME", "state"],
}


def pep_population_columns(vintage: str) -> list[str]:
    return [*PEP_POPULATION_COLUMNS, f"POPESTIMATE{vintage}"]


def looks_like(header: list[str]) -> str | None:
    """The kind of file whose header this is, e.g. to say 'this is a HUD crosswalk, not NUCC'."""
    found = {str(name).strip().upper() for name in header if name is not None}
    if "NPI" in found and len(found) > 100:
        return "NPPES provider data"
    for kind, columns in KNOWN.items():
        if {c.upper() for c in columns} <= found:
            return LABELS.get(kind, kind)
    return None
