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
PROVENANCE_COLUMNS = ["_source_file", "_source_sha256", "_loaded_at"]

LABELS = {
    "nucc": "NUCC taxonomy",
    "hud": "HUD ZIP->county crosswalk",
    "deactivations": "NPPES deactivation report",
}
KNOWN = {
    "nucc": NUCC_COLUMNS,
    "hud": HUD_COLUMNS,
    "deactivations": DEACTIVATION_COLUMNS,
    "census ACS": ["NAME", "state"],
}


def looks_like(header: list[str]) -> str | None:
    """The kind of file whose header this is, e.g. to say 'this is a HUD crosswalk, not NUCC'."""
    found = {str(name).strip().upper() for name in header if name is not None}
    if "NPI" in found and len(found) > 100:
        return "NPPES provider data"
    for kind, columns in KNOWN.items():
        if {c.upper() for c in columns} <= found:
            return LABELS.get(kind, kind)
    return None
