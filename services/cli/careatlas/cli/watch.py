"""``careatlas watch | status | runs``: follow and inspect runs (careatlas.runs.lifecycle.snapshot).

Live state comes from Redis; when Redis is unreachable or has forgotten the run (restarted,
nothing persisted), the run's manifest and task records in the lake answer instead.
"""

from __future__ import annotations

import time

import typer
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes
from careatlas.cli.options import JsonOption, LakeOption, RunIdArgument
from careatlas.cli.output import ExitCode, emit
from careatlas.runs import lifecycle, model

FINAL = {"succeeded": ExitCode.OK, "failed": ExitCode.FAILED, "cancelled": ExitCode.FAILED}


def snapshot(runs: lifecycle.Runs, run_id: str) -> dict:
    with exit_codes():
        return lifecycle.snapshot(runs, run_id)


def follow(run_id: str, runs: lifecycle.Runs, interval: float = 1.0, after_attempt: int = -1) -> int:
    """Progress bars until the run ends; returns the exit code for its final status. With
    ``after_attempt``, an end reached by that attempt or an earlier one does not count (``retry``)."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TimeRemainingColumn())
    bar = progress.add_task(f"run {run_id}", total=None, detail="planning")
    with Live(progress, refresh_per_second=4):
        while True:
            summary = snapshot(runs, run_id)
            detail = (f"{summary['rows']:,} rows · {summary['mb_per_s'] or 0} MB/s · "
                      f"{len(summary['workers'])} workers · {summary['status']}")
            progress.update(bar, total=summary["chunks_total"] or None, completed=summary["chunks_done"],
                            detail=detail)
            # a cancel is final whatever the attempt (retry of a run cancelled meanwhile)
            if summary["status"] in FINAL and (summary["attempt"] > after_attempt or summary["status"] == "cancelled"):
                break
            time.sleep(interval)
    _render(summary)
    return int(FINAL[summary["status"]])


def _render(summary: dict) -> None:
    from careatlas.cli.output import console

    table = Table(title=f"run {summary['run_id']}", show_header=False)
    for name in ("status", "release", "kind", "chunks_done", "chunks_total", "rows", "mb_per_s", "tasks",
                 "workers", "state_source", "error"):
        table.add_row(name.replace("_", " "), str(summary.get(name)))
    for failed in summary["failed"]:
        table.add_row("failed task", f"{failed['name']} chunk={failed['chunk']}: {failed['error']}")
    console.print(table)


def _runs(lake: str | None) -> lifecycle.Runs:
    runs = lifecycle.Runs.open(configure(lake=lake))
    return runs if runs.live.ping() else lifecycle.Runs(runs.settings, runs.lake, live=None)


def watch(run_id: RunIdArgument, lake: LakeOption = None) -> None:
    """Live progress of a run: chunks done/total, rows, MB/s, ETA and workers."""
    raise typer.Exit(follow(run_id, _runs(lake)))


def status(run_id: RunIdArgument, lake: LakeOption = None, as_json: JsonOption = False) -> None:
    """One run's state (from Redis, or from the lake when Redis has forgotten it)."""
    summary = snapshot(_runs(lake), run_id)
    emit(summary, as_json=as_json, render=lambda _c: _render(summary))
    if summary["status"] in ("failed", "cancelled"):
        raise typer.Exit(int(ExitCode.FAILED))


def list_runs(lake: LakeOption = None, as_json: JsonOption = False) -> None:
    """Every run recorded in the lake, oldest first."""
    manifests = model.list_manifests(_runs(lake).lake)
    rows = [{"run_id": m.run_id, "status": m.status, "release": m.release, "kind": m.kind,
             "created_at": m.created_at, "chunks": m.chunk_count, "error": m.error} for m in manifests]

    def render(console) -> None:
        table = Table("run", "status", "release", "kind", "created", "chunks", "error")
        for r in rows:
            table.add_row(r["run_id"], r["status"], r["release"], r["kind"], f"{r['created_at']:%Y-%m-%d %H:%M}",
                          str(r["chunks"]), (r["error"] or "")[:60])
        console.print(table)

    emit(rows, as_json=as_json, render=render)


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
    app.command("status")(status)
    app.command("runs")(list_runs)
