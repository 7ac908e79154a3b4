"""``careatlas land | run | retry | cancel``: start and repair runs on a deployment.

These commands talk to Redis and the lake and send Celery tasks by name; they never import
worker code, so the CLI image carries no worker dependencies.
"""

from __future__ import annotations

from typing import Annotated

import typer

from careatlas.cli.bootstrap import configure
from careatlas.cli.output import ExitCode, RunIdArgument, emit, fail, styled
from careatlas.shared import catalog, landing, runs
from careatlas.shared.storage import LakeError, LakeUnavailable, open_lake

LakeOption = Annotated[str | None, typer.Option("--lake", help="Lake: a folder or s3://bucket/prefix.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
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
    try:
        file = landing.source_file(source, settings, kind=kind)
        kind, release = landing.resolve_release(landing.peek_name(file), release, kind)
        raw_key, sha, size = landing.land(open_lake(settings=settings), file, release)
    except LakeUnavailable as error:
        fail(str(error), ExitCode.UNAVAILABLE)
    except (LakeError, ValueError) as error:
        fail(str(error), ExitCode.FAILED)
    return {"raw_key": raw_key, "sha256": sha, "bytes": size, "release": release, "kind": kind}


def run(
    nppes: Annotated[str, typer.Option(help="NPPES file to ingest: path, s3:// URI or URL (landed first).")],
    release: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: from the name).")] = None,
    kind: Annotated[str | None, typer.Option(help="full or weekly (default: from the name).")] = None,
    acs_year: Annotated[int, typer.Option(help="ACS 5-year vintage for population and demographics.")] = 2023,
    nucc: Annotated[str | None, typer.Option(help="NUCC taxonomy CSV to load in this run.")] = None,
    hud: Annotated[str | None, typer.Option(help="HUD ZIP-county crosswalk (xlsx/csv) to load.")] = None,
    deactivations: Annotated[str | None, typer.Option(help="NPPES deactivation report xlsx to load.")] = None,
    force: Annotated[bool, typer.Option(help="Run again even if this release was already built.")] = False,
    wait: Annotated[bool, typer.Option(help="Watch the run until it ends.")] = False,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Land the file, then enqueue a whole run: ingest, census, references, then transform."""
    landed = _land(nppes, release, kind, lake)
    settings = configure(lake=lake)
    store = open_lake(settings=settings)
    dataset = "npidata" if landed["kind"] == "full" else "npidata_weekly"
    done = _already_built(store, landed, dataset)
    if done and not force:
        emit({"run_id": done, "status": "already built", "release": landed["release"]}, as_json=as_json,
             render=lambda c: c.print(f"release {landed['release']} was already built by run {done}; "
                                      "nothing to do (--force to rebuild)"))
        return
    manifest = runs.RunManifest(
        run_id=runs.new_run_id(), release=landed["release"], kind=landed["kind"], dataset=dataset,
        raw_key=landed["raw_key"], raw_sha256=landed["sha256"], raw_bytes=landed["bytes"], acs_year=acs_year,
        references={k: v for k, v in (("nucc", nucc), ("hud", hud), ("deactivations", deactivations)) if v},
    )
    live = _take_release(settings, manifest)
    runs.save_manifest(store, manifest)
    live.set_status(manifest.run_id, "planning")
    _send(settings, live, "ingest.start_run", manifest)
    emit({"run_id": manifest.run_id, "release": manifest.release, "status": "planning"}, as_json=as_json,
         render=lambda c: c.print(manifest.run_id))
    if wait:
        from careatlas.cli.watch import follow

        raise typer.Exit(follow(manifest.run_id, store, live))


def _already_built(store, landed: dict, dataset: str) -> str | None:
    pointer = catalog.read(store, dataset, landed["release"])
    if pointer is None or pointer.source_sha256 != landed["sha256"]:
        return None
    built = [m for m in runs.list_manifests(store)
             if m.release == landed["release"] and m.raw_sha256 == landed["sha256"] and m.status == "succeeded"]
    return built[-1].run_id if built else None


def retry(
    run_id: RunIdArgument,
    wait: Annotated[bool, typer.Option(help="Watch the run until it ends.")] = False,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-drive only the failed or lost tasks of a run, then finalize and transform."""
    settings, store, manifest = _existing_run(run_id, lake)
    if manifest.status == "succeeded":
        fail(f"run {run_id} already succeeded; nothing to retry", ExitCode.USAGE)
    live = _take_release(settings, manifest)
    task = "ingest.retry_run" if manifest.plan else "ingest.start_run"
    _send(settings, live, task, manifest)
    live.set_status(run_id, "running")
    emit({"run_id": run_id, "sent": task}, as_json=as_json, render=lambda c: c.print(f"retrying {run_id}"))
    if wait:
        from careatlas.cli.watch import follow

        raise typer.Exit(follow(run_id, store, live, after_attempt=manifest.attempt))


def cancel(
    run_id: RunIdArgument,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a run's queued and running tasks and mark it cancelled (nothing is published)."""
    settings, store, manifest = _existing_run(run_id, lake)
    live = _live_store(settings)
    pending = [t.task_id for t in live.tasks(run_id).values() if t.state not in ("done", "failed")]
    if pending:
        _app(settings).control.revoke(pending, terminate=True)
    manifest.status, manifest.error = "cancelled", "cancelled by an operator"
    runs.save_manifest(store, manifest)
    live.set_status(run_id, "cancelled")
    live.unlock_release(manifest.dataset, manifest.release, run_id)
    emit({"run_id": run_id, "revoked": len(pending)}, as_json=as_json,
         render=lambda c: c.print(f"cancelled {run_id} ({len(pending)} tasks revoked)"))


def _take_release(settings, manifest: runs.RunManifest) -> runs.RunStore:
    """Two runs of one release must not both write: the release lock, or a clear refusal."""
    live = _live_store(settings)
    holder = live.lock_release(manifest.dataset, manifest.release, manifest.run_id, settings.visibility_timeout_s)
    if holder:
        fail(f"release {manifest.release} is being written by run {holder}; wait for it or cancel it",
             ExitCode.FAILED)
    return live


def _existing_run(run_id: str, lake: str | None):
    settings = configure(lake=lake)
    store = open_lake(settings=settings)
    manifest = runs.load_manifest(store, run_id)
    if manifest is None:
        fail(f"no run {run_id} in {settings.lake}", ExitCode.NOT_FOUND)
    return settings, store, manifest


def _send(settings, live: runs.RunStore, task: str, manifest: runs.RunManifest) -> None:
    """Send a coordinator task and record it (``cancel`` can revoke it before it starts) as part
    of the attempt it starts, so its own failure fails that attempt."""
    sent = _app(settings).send_task(task, kwargs={"run_id": manifest.run_id, "lake": settings.lake})
    live.put_task(manifest.run_id, runs.TaskRecord(task_id=sent.id, name=task, state="queued",
                                                   run_attempt=manifest.attempt + 1))


def _live_store(settings) -> runs.RunStore:
    import redis

    live = runs.RunStore.from_url(settings.redis_url)
    try:
        live.redis.ping()
    except redis.RedisError as error:
        fail(f"cannot reach Redis at {_safe_url(settings.redis_url)}: {error}", ExitCode.UNAVAILABLE)
    return live


def _safe_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return url.replace(parts.password, "***") if parts.password else url


def _app(settings):
    from careatlas.shared.celery_app import create_app

    return create_app(settings)


def register(app: typer.Typer) -> None:
    for command in (land, run, retry, cancel):
        app.command(command.__name__)(command)
