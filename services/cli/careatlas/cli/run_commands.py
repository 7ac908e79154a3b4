"""``careatlas land | run | retry | cancel``: start and repair runs on a deployment.

Thin: every rule of a run's lifecycle is in ``careatlas.runs.lifecycle``. These commands talk to
Redis and the lake and send Celery tasks by name; they never import worker code, so the CLI
image carries no worker dependencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes
from careatlas.cli.ingest_commands import KINDS, implausible_full, kind_conflict, kind_from_name
from careatlas.cli.options import JsonOption, LakeOption, RunIdArgument
from careatlas.cli.output import ExitCode, emit, fail, styled
from careatlas.nppes import landing
from careatlas.runs import lifecycle, model
from careatlas.shared import catalog, fetch, layout
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, open_lake

REFERENCE_KINDS = ("nucc", "hud", "deactivations")


def land(
    source: Annotated[str, typer.Argument(help="A file path, s3:// URI or http(s) URL.")],
    release: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: from the name).")] = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy an NPPES file into the lake's raw zone (immutable, with its sha256)."""
    landed = _land(source, release, None, lake)
    emit(landed, as_json=as_json, render=lambda c: c.print(
        "landed", styled(landed["raw_key"]), f"({landed['bytes']:,} bytes, sha256 {landed['sha256'][:12]}…)"))


def _land(source: str, release: str | None, kind: str | None, lake: str | None) -> dict:
    settings = configure(lake=lake)
    with exit_codes({ValueError: ExitCode.FAILED}):
        file = landing.source_file(source, settings, kind=kind)
        kind, release = landing.resolve_release(landing.peek_name(file), release, kind)
        raw_key, sha, size = landing.land(open_lake(settings=settings), file, release)
    return {"raw_key": raw_key, "sha256": sha, "bytes": size, "release": release, "kind": kind}


def run(
    nppes: Annotated[str, typer.Option(help="NPPES file to ingest: path, s3:// URI or URL (landed first).")],
    release: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: from the name).")] = None,
    kind: Annotated[str | None, typer.Option(
        help="full or weekly (default: from the name); a kind the CMS name contradicts is refused.")] = None,
    acs_year: Annotated[int, typer.Option(help="ACS 5-year vintage for population and demographics.")] = 2023,
    nucc: Annotated[str | None, typer.Option(help="NUCC taxonomy CSV to load in this run (a local file is "
                                                   "uploaded to the lake first).")] = None,
    hud: Annotated[str | None, typer.Option(help="HUD ZIP-county crosswalk (xlsx/csv) to load.")] = None,
    deactivations: Annotated[str | None, typer.Option(help="NPPES deactivation report xlsx to load.")] = None,
    force: Annotated[bool, typer.Option(help="Run again even if this release was already built, or accept a "
                                             "full release much smaller than the last one.")] = False,
    catch_up: Annotated[bool, typer.Option(
        help="With --kind weekly and a CMS download page: run every weekly on the page newer than the last "
             "one applied, oldest first, each to its end (implies --wait).")] = False,
    wait: Annotated[bool, typer.Option(help="Watch the run until it ends; exit 1 when it fails.")] = False,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Land the file, then enqueue a whole run: ingest, census, references, then transform."""
    settings = configure(lake=lake)
    if kind not in (None, *KINDS):
        fail(f"--kind must be full or weekly, got {kind!r}", ExitCode.USAGE)
    refs = {k: v for k, v in (("nucc", nucc), ("hud", hud), ("deactivations", deactivations)) if v}
    for name, source in refs.items():  # before anything is landed
        if "://" not in source and not Path(source).expanduser().is_file():
            fail(f"--{name} {source}: no such file", ExitCode.NOT_FOUND)
    if catch_up:
        raise typer.Exit(_catch_up(settings, nppes, kind, acs_year, refs, as_json))
    code = _run_one(settings, nppes, release, kind, acs_year, refs, force=force, wait=wait, as_json=as_json)
    raise typer.Exit(code)


def _run_one(settings: Settings, nppes: str, release: str | None, kind: str | None, acs_year: int,
             refs: dict[str, str], *, force: bool, wait: bool, as_json: bool) -> int:
    with exit_codes({ValueError: ExitCode.FAILED}):
        named = kind_from_name(nppes, settings) if kind else None
    if named and named != kind:
        fail(kind_conflict(nppes, named, kind), ExitCode.USAGE)
    landed = _land(nppes, release, kind, settings.lake)
    store = open_lake(settings=settings)
    dataset = "npidata" if landed["kind"] == "full" else "npidata_weekly"
    done = _already_built(store, landed, dataset)
    if done and not force:
        emit({"run_id": done, "status": "already built", "release": landed["release"]}, as_json=as_json,
             render=lambda c: c.print(f"release {landed['release']} was already built by run {done}; "
                                      "nothing to do (--force to rebuild)"))
        return int(ExitCode.OK)
    if landed["kind"] == "full" and not force:
        _refuse_implausible_full(store, landed, settings)
    manifest = model.RunManifest(
        run_id=model.new_run_id(), release=landed["release"], kind=landed["kind"], dataset=dataset,
        raw_key=landed["raw_key"], raw_sha256=landed["sha256"], raw_bytes=landed["bytes"], acs_year=acs_year,
        references={k: _reference_source(store, k, v) for k, v in refs.items()},
    )
    runs = _runs(settings)
    with exit_codes():
        lifecycle.start(runs, manifest)
    emit({"run_id": manifest.run_id, "release": manifest.release, "status": "planning"}, as_json=as_json,
         render=lambda c: c.print(manifest.run_id))
    if not wait:
        return int(ExitCode.OK)
    from careatlas.cli.watch import follow

    return follow(manifest.run_id, runs)


def _already_built(store: Lake, landed: dict, dataset: str) -> str | None:
    pointer = catalog.read(store, dataset, landed["release"])
    if pointer is None or pointer.source_sha256 != landed["sha256"]:
        return None
    built = [m for m in model.list_manifests(store)
             if m.release == landed["release"] and m.raw_sha256 == landed["sha256"] and m.status == "succeeded"]
    return built[-1].run_id if built else None


def _refuse_implausible_full(store: Lake, landed: dict, settings: Settings) -> None:
    why = implausible_full(store, landed["raw_key"], landed["bytes"], landed["release"], settings)
    if why:
        fail(why, ExitCode.FAILED)


def _reference_source(store: Lake, kind: str, source: str) -> str:
    """Workers cannot open a path on the CLI's machine: a local file is uploaded to the lake's
    raw zone (content-addressed, so the same file is uploaded once) and the run names its URI.
    So is a URL with a query string (presigned credentials, a token), fetched here under the
    fetching rule: the run's manifest and its task messages then never hold it (review L11)."""
    if source.startswith(("http://", "https://")) and fetch.display(source) != source:
        with exit_codes({ValueError: ExitCode.FAILED}), fetch.downloaded(source, store.settings) as got:
            return _upload_reference(store, kind, got.path, got.name)
    if "://" in source:
        return source
    path = Path(source).expanduser()
    return _upload_reference(store, kind, path, path.name)


def _upload_reference(store: Lake, kind: str, path: Path, name: str) -> str:
    with path.open("rb") as handle:
        sha, _size = landing.sha256_of(handle)
    key = layout.raw_reference_upload(kind, sha, name)
    if not store.exists(key):
        with exit_codes():
            store.put_file(key, path)
    return store.uri(key)


def _catch_up(settings: Settings, page: str, kind: str | None, acs_year: int, refs: dict[str, str],
              as_json: bool) -> int:
    """Every weekly on CMS's page newer than the last one applied, in release order; stops at
    the first that fails (its exit code), so a missed week is never skipped."""
    if kind != "weekly" or not page.lower().split("?")[0].endswith((".html", ".htm")):
        fail("--catch-up needs --kind weekly and --nppes a CMS download page (…NPI_Files.html)", ExitCode.USAGE)
    store = open_lake(settings=settings)
    applied = [r.release for r in catalog.list_published(store, "npidata_weekly")]
    applied += [r.release for r in catalog.list_published(store, "npidata")]
    after = max(applied, default="0000-00-00")
    with exit_codes({ValueError: ExitCode.FAILED}):
        links = [(release, url) for release, url in landing.cms_weekly_links(page, settings) if release > after]
    if not links:
        emit({"status": "up to date", "after": after}, as_json=as_json,
             render=lambda c: c.print(f"no weekly newer than {after}: nothing to do"))
    for n, (_release, url) in enumerate(links):
        code = _run_one(settings, url, None, "weekly", acs_year, refs if n == 0 else {}, force=False, wait=True,
                        as_json=as_json)
        if code != ExitCode.OK:
            return code
    return int(ExitCode.OK)


def retry(
    run_id: RunIdArgument,
    wait: Annotated[bool, typer.Option(help="Watch the run until it ends.")] = False,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-drive a failed run: only what it still needs (after a transform failure, only the
    transform, from the release it already published). Cancelled and running runs are refused."""
    runs = _runs(configure(lake=lake))
    with exit_codes():
        manifest, task = lifecycle.retry(runs, run_id)
    emit({"run_id": run_id, "sent": task}, as_json=as_json, render=lambda c: c.print(f"retrying {run_id}"))
    if wait:
        from careatlas.cli.watch import follow

        raise typer.Exit(follow(run_id, runs, after_attempt=manifest.attempt))


def cancel(
    run_id: RunIdArgument,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel a run: nothing of it is published from now on; its tasks are revoked or skip."""
    runs = _runs(configure(lake=lake))
    with exit_codes():
        revoked = lifecycle.cancel(runs, run_id)
    emit({"run_id": run_id, "revoked": revoked}, as_json=as_json,
         render=lambda c: c.print(f"cancelled {run_id} ({revoked} tasks revoked)"))


def _runs(settings: Settings) -> lifecycle.Runs:
    runs = lifecycle.Runs.open(settings)
    if not runs.live.ping():
        fail(f"cannot reach Redis at {_safe_url(settings.redis_url)}", ExitCode.UNAVAILABLE)
    return runs


def _safe_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return url.replace(parts.password, "***") if parts.password else url


def register(app: typer.Typer) -> None:
    for command in (land, run, retry, cancel):
        app.command(command.__name__)(command)
