"""Real NPPES rows on the embedded default (local lake, in-process workers, dbt on DuckDB): the 998
raw CMS rows of ../shared/reference/nppes_raw/, and the January 2024 weekly files of
../shared/reference/nppes_weekly_2024/ (the first week as the base release, the later weeks as
weeklies, then the deactivation report). The assertions are those of the S3/Celery test
(tests/e2e/runs/test_run_real_weeklies.py): support/real_rows.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import nppes_truth, real_rows
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration


@dataclass
class Built:
    lake: Lake
    warehouse: Path
    truth: nppes_truth.Truth
    ingests: dict[str, dict]  # file name -> the `careatlas ingest --json` summary (or the manifest's)


def _ingest_cli(lake: Lake, path: Path, *args: str) -> dict:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["ingest", str(path), "--lake", lake.root, "--workers", "2", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _setup(folder: Path, reference_dir: Path) -> tuple[Lake, Settings]:
    from careatlas.ingest.reference.load import load_reference

    settings = Settings(lake=str(folder / "lake"), warehouse_path=folder / "warehouse.duckdb")
    lake = Lake(settings.lake, settings)
    load_reference(lake, "nucc", str(reference_dir / real_rows.NUCC_FILE), settings=settings)
    load_reference(lake, "hud", str(reference_dir / real_rows.HUD_FILE), settings=settings)
    real_rows.import_demographics(lake, reference_dir)
    return lake, settings


def _build(lake: Lake, settings: Settings) -> None:
    from careatlas.transform.build import build_marts

    build_marts(lake.root, "real-rows", acs_year=real_rows.ACS_YEAR, settings=settings)


@pytest.fixture(scope="module")
def weeklies(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    from careatlas.ingest.pipeline import ingest_file
    from careatlas.ingest.reference.load import load_reference

    lake, settings = _setup(tmp_path_factory.mktemp("weeklies"), reference_dir)
    weekly = reference_dir / real_rows.WEEKLY_DIR
    (base, _release, _kind), *later = real_rows.WEEKLY_FILES
    # a weekly as the base release is a test's choice the CLI refuses (its name says weekly)
    manifest = ingest_file(weekly / base, lake=lake, kind="full", workers=2, settings=settings)
    ingests = {base: {"rows_read": manifest.rows_read, "rows_written": manifest.rows_written,
                      "rows_quarantined": manifest.rows_quarantined}}
    for n, (name, _release, _kind) in enumerate(later):  # as a user would: by name, then explicitly
        ingests[name] = _ingest_cli(lake, weekly / name, *(["--kind", "weekly"] if n else []))
    load_reference(lake, "deactivations", str(weekly / real_rows.DEACTIVATION_REPORT), settings=settings)
    _build(lake, settings)
    return Built(lake, settings.warehouse_path, real_rows.weekly_truth(reference_dir), ingests)


@pytest.fixture(scope="module")
def sample_2021(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    lake, settings = _setup(tmp_path_factory.mktemp("sample2021"), reference_dir)
    name, release = real_rows.SAMPLE_2021
    summary = _ingest_cli(lake, reference_dir / name, "--kind", "full", "--release", release.isoformat())
    _build(lake, settings)
    truth = nppes_truth.implied([nppes_truth.Release(reference_dir / name, release)])
    return Built(lake, settings.warehouse_path, truth, {Path(name).name: summary})


# ---------------------------------------------------------------------- the weekly files
def test_every_weekly_row_is_written_or_quarantined(weeklies: Built) -> None:
    for name, release, kind in real_rows.WEEKLY_FILES:
        raw = weeklies.truth.rows_per_file[name]
        ingest = weeklies.ingests[name]
        assert ingest["rows_read"] == ingest["rows_written"] + ingest["rows_quarantined"] == raw, (name, ingest)
        dataset = "npidata" if kind == "full" else "npidata_weekly"
        real_rows.assert_rows_accounted(weeklies.lake, dataset, release.isoformat(), raw)


def test_weekly_providers_are_conserved_and_placed(weeklies: Built) -> None:
    inputs = real_rows.latest(weeklies.lake)["inputs"]
    assert inputs["nppes_full"]["release"] == real_rows.WEEKLY_FILES[0][1].isoformat()
    assert [w["release"] for w in inputs["nppes_weekly"]] == [r.isoformat() for _n, r, _k in real_rows.WEEKLY_FILES[1:]]
    figures = real_rows.assert_conserved(weeklies.lake, weeklies.truth)
    real_rows.assert_most_placed(figures)
    print(f"\nembedded weeklies: {figures}")


def test_no_county_is_screened_short_by_a_vintage_mismatch(weeklies: Built) -> None:
    """HUD 2023Q1 against ACS 2015 nationally: the crosswalk has Alaska's 2019 counties 02063 and
    02066, ACS 2015 the old 02261, which the seed reaches (it once had 0 providers and every flag)."""
    assert real_rows.assert_geography_reconciled(weeklies.lake, harmonised={"02261"}) > 3000


def test_npis_updated_in_several_weeks_count_once_with_their_latest_record(weeklies: Built, reference_dir) -> None:
    assert real_rows.assert_latest_records(weeklies.warehouse, weeklies.truth, reference_dir) > 1000


def test_deactivated_npis_are_gone_and_reactivated_ones_back(weeklies: Built) -> None:
    assert real_rows.assert_deactivated_gone(weeklies.warehouse, weeklies.truth) > 1000
    assert real_rows.assert_reactivated_active(weeklies.warehouse, weeklies.truth) > 100


# ---------------------------------------------------------------------- the 998 raw CMS rows
def test_every_sample_row_is_written_or_quarantined(sample_2021: Built) -> None:
    name, release = real_rows.SAMPLE_2021
    ingest = sample_2021.ingests[Path(name).name]
    assert ingest["rows_read"] == ingest["rows_written"] + ingest["rows_quarantined"] == 998, ingest
    real_rows.assert_rows_accounted(sample_2021.lake, "npidata", release.isoformat(), 998)


def test_the_sample_s_organisations_are_not_counted_as_providers(sample_2021: Built) -> None:
    """The 998 rows are all organisations (entity type 2): the marts count none of them, and
    conservation holds at zero (the placed share cannot be measured on this file). Its two
    deactivated NPIs were reactivated: active again."""
    truth = sample_2021.truth
    assert truth.current.height == 998 and not truth.current["is_individual"].any()
    figures = real_rows.assert_conserved(sample_2021.lake, truth)
    assert figures["placed"] == figures["outside"] == figures["active_individuals"] == 0
    assert truth.deactivated_npis() == set()
    assert real_rows.assert_reactivated_active(sample_2021.warehouse, truth) == 2
