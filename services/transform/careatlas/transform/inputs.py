"""What a build reads from the lake, decided in Python (handed to dbt by ``run_inputs``).

NPPES: the latest published monthly full release is the baseline; every weekly delta published
after it is passed too (the merge applies only what is newer, so applied ones change nothing).
Reference data: the latest NUCC version, the latest HUD crosswalk vintage, the latest
deactivation report (it is cumulative), and the demographics (``careatlas.transform.demographics``:
an ACS vintage, ``acs_year`` or the latest cached, else the offline PEP/SAIPE products).

A build is a re-baseline (``--full-refresh`` of the per-NPI incremental tables) when the
warehouse is new, the baseline full release changed, an applied weekly was republished under a
new version, the previous build merged NPPES changes but did not complete, or the reference
fingerprint changed (NUCC, crosswalk, deactivation report, demographics, each by key, size and
recorded checksum so a reload under the same key counts, or the dbt project itself): otherwise
rows of unchanged NPIs would keep what older reference data or code made of them. The
secondary practice locations (``pl`` published with the baseline release) and the allocation
mode (``Settings.location_allocation``) are in it too: both decide every provider's counties. The
demographics are in the fingerprint because the crosswalk's counties are mapped onto the
demographic vintage's counties, so every provider's county allocation depends on them.
A build is also a re-baseline when its run already built here (the transform task delivered
again, acks_late): the per-NPI models take the NPIs stamped with the build's run id as the ones
it changed, so a second incremental build under the same id would rebuild every NPI the first
one wrote from the weekly deltas alone (their taxonomies lost).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from careatlas.shared import catalog, layout
from careatlas.shared.catalog import PublishedRelease
from careatlas.shared.storage import Lake
from careatlas.transform import demographics as demo
from careatlas.transform.demographics import Demographics
from careatlas.transform.state import AppliedState

log = structlog.get_logger(__name__)


class MissingInput(RuntimeError):
    """The lake lacks something a build needs; the message says what and where."""


@dataclass(frozen=True)
class BuildInputs:
    full: PublishedRelease
    weeklies: list[PublishedRelease]
    rebaseline: bool
    demographics: Demographics
    nucc_key: str
    hud_key: str
    deactivation_key: str | None
    fingerprint: str
    reference_unchanged: bool  # same reference data (demographics included) as the last completed build
    pending_weeklies: list[str] = field(default_factory=list)  # releases this run applies
    reference_rows: dict[str, int | None] = field(default_factory=dict)  # key -> rows in its metadata.json
    pl: PublishedRelease | None = None  # secondary practice locations of the baseline release
    location_allocation: str = "primary"  # primary | all_locations (Settings.location_allocation)

    @property
    def acs_year(self) -> int | None:
        """The ACS vintage read; None when the demographics are the offline products."""
        return self.demographics.acs_year

    def summary(self) -> dict[str, Any]:
        """The inputs recorded in the ``latest`` pointer."""
        return {
            "nppes_full": {"release": self.full.release, "version": self.full.version, "rows": self.full.rows},
            "nppes_weekly": [
                {"release": w.release, "version": w.version, "rows": w.rows} for w in self.weeklies
            ],
            "nppes_weekly_applied_this_run": self.pending_weeklies,
            "rebaseline": self.rebaseline,
            "reference_fingerprint": self.fingerprint,
            "acs_year": self.acs_year,
            "demographics": self.demographics.summary(),
            "nucc": self.nucc_key,
            "hud_zip_county": self.hud_key,
            "nppes_deactivations": self.deactivation_key,
            "nppes_pl": ({"release": self.pl.release, "version": self.pl.version, "rows": self.pl.rows}
                         if self.pl else None),
            "location_allocation": self.location_allocation,
        }


def plan(
    lake: Lake,
    applied: AppliedState | None,
    *,
    project_dir: Path,
    acs_year: int | None = None,
    full_refresh: bool = False,
    location_allocation: str = "primary",
) -> BuildInputs:
    full = _latest_full(lake)
    secondary = catalog.read(lake, "pl", full.release)
    weeklies = [w for w in catalog.list_published(lake, "npidata_weekly") if w.release > full.release]
    nucc, hud, deactivations = _reference_keys(lake)
    try:
        people = demo.choose(lake, census_years(lake), acs_year)
    except demo.DemographicsMissing as missing:
        raise MissingInput(str(missing)) from None
    fingerprint = reference_fingerprint(
        project_dir, *(demo.content_tag(lake, key) for key in (nucc, hud, deactivations, *people.keys.values())),
        people.product, f"pl:{secondary.version}" if secondary else None, location_allocation,
    )
    rebaseline = _needs_rebaseline(applied, full, weeklies, fingerprint, full_refresh)
    done = frozenset() if rebaseline or applied is None else applied.weekly
    inputs = BuildInputs(
        full=full, weeklies=weeklies, rebaseline=rebaseline, demographics=people,
        nucc_key=nucc, hud_key=hud, deactivation_key=deactivations, fingerprint=fingerprint,
        reference_unchanged=not rebaseline and applied is not None,
        pending_weeklies=[w.release for w in weeklies if (w.release, w.version) not in done],
        reference_rows={k: demo.metadata_rows(lake, k) for k in (nucc, hud, deactivations) if k},
        pl=secondary, location_allocation=location_allocation,
    )
    log.info("transform inputs planned", full_release=full.release, weeklies=len(weeklies),
             pending_weeklies=len(inputs.pending_weeklies), rebaseline=rebaseline,
             demographics=people.product, acs_year=people.acs_year)
    return inputs


def _reference_keys(lake: Lake) -> tuple[str, str, str | None]:
    """The NUCC version, crosswalk vintage and deactivation report a build uses: the latest."""
    return (
        _latest_key(lake, layout.nucc_taxonomy, "version", "NUCC taxonomy"),
        _latest_key(lake, layout.hud_zip_county, "vintage", "HUD ZIP-county crosswalk"),
        _latest_key(lake, layout.nppes_deactivations, "report_date", None),
    )


def _needs_rebaseline(
    applied: AppliedState | None,
    full: PublishedRelease,
    weeklies: list[PublishedRelease],
    fingerprint: str,
    full_refresh: bool,
) -> bool:
    if full_refresh or applied is None:
        return True
    # a weekly republished under a new version may correct records without newer dates
    applied_weekly = dict(applied.weekly)
    republished = any(applied_weekly.get(w.release, w.version) != w.version for w in weeklies)
    # an applied weekly no longer published: withdrawn (its run was cancelled mid-transform)
    withdrawn = bool(set(applied_weekly) - {w.release for w in weeklies})
    return (
        withdrawn or applied.reexecuted or
        (applied.full_release, applied.full_version) != (full.release, full.version)
        or not applied.complete
        or applied.fingerprint != fingerprint
        or republished
    )


def reference_fingerprint(project_dir: Path, *keys: str | None) -> str:
    """Hash of the reference data keys and of every file of the dbt project that shapes rows."""
    digest = hashlib.sha256("\n".join(k or "-" for k in keys).encode())
    for folder in ("models", "macros", "seeds"):
        for path in sorted((project_dir / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(project_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def census_years(lake: Lake) -> list[int]:
    """ACS vintages cached with both a county and a state table, oldest first."""
    keys = set(lake.list(layout.census_acs5_root()))
    years = {int(v) for k in keys if (v := layout.segment_value(k, "year")) is not None and re.fullmatch(r"\d{4}", v)}
    return sorted(y for y in years if all(demo.acs_key(y, geo) in keys for geo in ("county", "state")))


def _latest_full(lake: Lake) -> PublishedRelease:
    fulls = catalog.list_published(lake, "npidata")
    if not fulls:
        raise MissingInput(f"no published NPPES full release (npidata) in {lake.root}")
    latest = fulls[-1]
    if not latest.files:
        raise MissingInput(f"NPPES release {latest.release} (version {latest.version}) lists no files")
    return latest


def _latest_key(lake: Lake, builder, partition: str, what: str | None) -> str | None:
    """The data file of the newest partition value (e.g. vintage=...) of a reference dataset."""
    example = builder("2000-01-01")
    root = layout.partition_root(example, partition)
    values = {v: key for key in lake.list(root) if (v := layout.partition_value(key, example, partition)) is not None}
    if not values:
        if what is None:
            return None
        raise MissingInput(f"no {what} in {lake.uri(root)}")
    latest = max(values, key=partition_sort_key)
    return values[latest]


def partition_sort_key(value: str) -> tuple:
    """Order versions and vintages as dates or numbers: '25.1' > '9.0', '032023' is March 2023,
    '2023Q1' / '2023-Q1' a quarter, ISO dates as dates; anything else by its digits."""
    text = value.strip()
    m = re.fullmatch(r"(\d{2})(\d{4})", text)
    if m and 1 <= int(m.group(1)) <= 12:  # HUD file naming: MMYYYY
        return (int(m.group(2)), int(m.group(1)), 0)
    if m := re.fullmatch(r"(\d{4})[-_ ]?Q([1-4])", text, re.IGNORECASE):
        return (int(m.group(1)), int(m.group(2)) * 3, 0)
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)
