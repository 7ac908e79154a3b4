"""``careatlas run`` before anything is enqueued, on real Redis and both lakes: local reference
files are uploaded to the lake (a worker cannot open a path on the CLI's machine), a kind the CMS
name contradicts and an implausibly small full release are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.http_server import LocalServer
from support import run_inputs
from support.cli import run_cli

from careatlas.runs import model
from careatlas.runs.live import ReleaseLock, RunStore
from careatlas.shared import catalog
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration
FULL = "npidata_pfile_20050523-20250407.csv"


@pytest.fixture(params=["local", "s3"])
def lake_root(request: pytest.FixtureRequest, tmp_path: Path, redis_urls: dict, monkeypatch) -> str:
    root = str(tmp_path / "lake") if request.param == "local" else request.getfixturevalue("s3_env")["CAREATLAS_LAKE"]
    for name, url in (("BROKER_URL", "broker"), ("RESULT_BACKEND", "backend"), ("REDIS_URL", "state")):
        monkeypatch.setenv(f"CAREATLAS_{name}", redis_urls[url])
    monkeypatch.setenv("CAREATLAS_LAKE", root)
    return root


def test_a_local_reference_file_is_uploaded_and_the_run_names_its_lake_uri(lake_root: str, tmp_path: Path) -> None:
    nppes = run_inputs.write_nppes(tmp_path / FULL, 20)
    nucc = run_inputs.write_nucc(tmp_path / "nucc_taxonomy_251.csv")
    result = run_cli("run", "--nppes", str(nppes), "--nucc", str(nucc), "--json")
    assert result.exit_code == 0, result.stderr
    lake = Lake(lake_root, Settings())
    (manifest,) = model.list_manifests(lake)
    source = manifest.references["nucc"]
    assert source.startswith(lake.uri("raw/reference/nucc/")) and source.endswith("/nucc_taxonomy_251.csv")
    key = source.removeprefix(lake.uri("") + "/")
    assert lake.read_bytes(key) == nucc.read_bytes()


def test_a_missing_local_reference_file_is_refused_before_anything_is_enqueued(lake_root: str, tmp_path: Path) -> None:
    nppes = run_inputs.write_nppes(tmp_path / FULL, 20)
    result = run_cli("run", "--nppes", str(nppes), "--hud", str(tmp_path / "absent.csv"))
    assert result.exit_code == 3 and "--hud" in result.stderr and "nosuchfile" in result.flat_stderr
    lake = Lake(lake_root, Settings())
    assert model.list_manifests(lake) == [] and lake.list("raw") == []  # nothing landed either


def test_a_kind_the_cms_name_contradicts_is_refused(lake_root: str, tmp_path: Path) -> None:
    weekly = run_inputs.write_nppes(tmp_path / "npidata_pfile_20250407-20250413.csv", 20)
    result = run_cli("run", "--nppes", str(weekly), "--kind", "full")
    assert result.exit_code == 2 and "weeklydeltabyitsCMSname" in result.flat_stderr
    assert model.list_manifests(Lake(lake_root, Settings())) == []


def test_a_full_release_far_smaller_than_the_last_one_is_refused_unless_forced(lake_root: str, tmp_path: Path) -> None:
    lake = Lake(lake_root, Settings())
    model.save_manifest(lake, model.RunManifest(  # the last full release built: 1,000,000 bytes of CSV
        run_id="run-before", status="succeeded", release="2025-03-09", kind="full", dataset="npidata",
        raw_key="raw/nppes/release=2025-03-09/npidata_pfile_20050523-20250309.csv", raw_sha256="0" * 64,
        raw_bytes=1_000_000))
    small = run_inputs.write_nppes(tmp_path / FULL, 20)
    refused = run_cli("run", "--nppes", str(small))
    assert refused.exit_code == 1 and "implausibleforafullNPPESfile" in refused.flat_stderr
    assert [m.run_id for m in model.list_manifests(lake)] == ["run-before"]
    assert run_cli("run", "--nppes", str(small), "--force").exit_code == 0


def test_careatlas_ingest_refuses_a_release_a_run_is_writing(lake_root: str, tmp_path: Path, redis_urls: dict) -> None:
    """The in-process writers (``ingest``, and ``demo`` through it) take the run's release lock."""
    lake = Lake(lake_root, Settings())
    held = ReleaseLock(RunStore.from_url(redis_urls["state"]), lake.root, "npidata", "2025-04-07", "run-live", 60)
    assert held.acquire() is None
    nppes = run_inputs.write_nppes(tmp_path / FULL, 20)
    refused = run_cli("ingest", str(nppes))
    assert refused.exit_code == 1 and "beingwrittenbyrunrun-live" in refused.flat_stderr
    assert catalog.read(lake, "npidata", "2025-04-07") is None and held.holder() == "run-live"
    held.release()
    assert run_cli("ingest", str(nppes), "--workers", "1").exit_code == 0
    assert catalog.read(lake, "npidata", "2025-04-07") is not None


def test_a_small_full_release_is_refused_after_a_baseline_any_command_published(lake_root: str, tmp_path: Path) -> None:
    """Review M12: a weekly whose name says nothing, ingested with --release, becomes a *full*
    release. Measured against the full releases published in the lake, not only against runs:
    a baseline from `careatlas ingest` counts for `ingest` and `run` alike."""
    base = run_inputs.write_nppes(tmp_path / FULL, 200)
    assert run_cli("ingest", str(base), "--workers", "1").exit_code == 0  # no run recorded: the lake only
    weekly = run_inputs.write_nppes(tmp_path / "weekly.csv", 20)
    for command in (["ingest", str(weekly), "--release", "2025-04-20"],
                    ["run", "--nppes", str(weekly), "--release", "2025-04-20"]):
        refused = run_cli(*command)
        assert refused.exit_code == 1 and "implausibleforafullNPPESfile" in refused.flat_stderr, command
        assert "lastfullrelease2025-04-07" in refused.flat_stderr
    lake = Lake(lake_root, Settings())
    assert catalog.read(lake, "npidata", "2025-04-20") is None and model.list_manifests(lake) == []
    assert run_cli("ingest", str(weekly), "--release", "2025-04-20", "--workers", "1", "--force").exit_code == 0


def test_a_reference_url_with_a_query_string_is_fetched_here_and_never_kept(
        lake_root: str, tmp_path: Path, redis_urls: dict, monkeypatch) -> None:
    """Review L11: a presigned reference URL went verbatim into the run's manifest (and from there
    into the task messages Redis keeps for 7 days). It is fetched by the CLI and uploaded instead."""
    import redis

    monkeypatch.setenv("CAREATLAS_FETCH_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("CAREATLAS_FETCH_ALLOW_HTTP", "true")
    nppes = run_inputs.write_nppes(tmp_path / FULL, 20)
    nucc = run_inputs.write_nucc(tmp_path / "nucc_taxonomy_251.csv")
    with LocalServer() as server:
        url = server.serve_file("/nucc_taxonomy_251.csv", nucc.read_bytes()) + "?X-Amz-Signature=SECRET-0123"
        result = run_cli("run", "--nppes", str(nppes), "--nucc", url, "--json")
    assert result.exit_code == 0, result.stderr
    lake = Lake(lake_root, Settings())
    (manifest,) = model.list_manifests(lake)
    source = manifest.references["nucc"]
    assert source.startswith(lake.uri("raw/reference/nucc/")) and source.endswith("/nucc_taxonomy_251.csv")
    assert lake.read_bytes(source.removeprefix(lake.uri("") + "/")) == nucc.read_bytes()
    assert "SECRET" not in manifest.model_dump_json()
    broker = redis.Redis.from_url(redis_urls["broker"])
    assert not any(b"SECRET" in (broker.dump(key) or b"") for key in broker.scan_iter())  # the queued coordinator
