"""``careatlas validate [RUN_ID|latest] --against chr|hpsa|ahrf [--file F]``: a run's county
figures against a published reference (docs/validation.md). Runs in-process on the lake; the
comparison is written beside the run's marts. Exit 3 when the reference file is absent.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption, ReferenceOption
from careatlas.cli.output import ExitCode, emit, styled
from careatlas.shared.reference_folder import folders, reference_dir


class Against(StrEnum):
    chr = "chr"
    hpsa = "hpsa"
    ahrf = "ahrf"


# the overall figures printed, in order, where the reference has them: (key, label, format)
FIGURES = (
    ("counties_compared", "counties compared", "{:,}"),
    ("spearman", "Spearman rank correlation", "{:.3f}"),
    ("median_abs_pct_diff", "median absolute % difference", "{:.1f}%"),
    ("counties_over_20pct", "counties more than 20% apart", "{:,}"),
    ("ahrf_year", "AHRF year compared", "{}"),
    ("designated_counties", "designated counties", "{:,}"),
    ("sensitivity", "sensitivity of the screen", "{:.3f}"),
    ("specificity", "specificity of the screen", "{:.3f}"),
    ("auc", "ROC AUC of the underserved score", "{:.3f}"),
)


def validate(
    run_id: Annotated[str, typer.Argument(help="Run id, or 'latest'.")] = "latest",
    against: Annotated[Against, typer.Option("--against", help="Reference: chr, hpsa or ahrf.")] = ...,
    file: Annotated[list[Path] | None, typer.Option("--file", help="Reference file (chr: v062 and/or v131).")] = None,
    reference: ReferenceOption = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare a run's county figures with County Health Rankings, HRSA HPSAs or the AHRF."""
    settings = configure(lake=lake)
    from careatlas.shared.storage import Lake

    with requires_extra("report", "careatlas validate"):
        from careatlas.validate.run import FILE_ERRORS, reference_files
        from careatlas.validate.run import validate as run_validation

    with exit_codes({FileNotFoundError: ExitCode.NOT_FOUND, **dict.fromkeys(FILE_ERRORS, ExitCode.FAILED)}):
        paths = reference_files(against.value, file, folders(reference_dir(reference, settings.reference_dir)))
        result = run_validation(Lake(settings.lake, settings), run_id, against.value, paths)
    emit(result.summary, as_json=as_json, render=lambda console: _render(console, result.summary, result.table_key))


def _render(console: Console, summary: dict[str, Any], key: str) -> None:
    console.print(styled(summary["reference"]), f"vs run {summary['run_id']}")
    sections = [("overall", summary)]
    sections += [(f"{m} {v['label']}", v) for m, v in (summary.get("measures") or {}).items()]
    sections += [(f"{m} CareAtlas's own definition", v["careatlas"])
                 for m, v in (summary.get("measures") or {}).items() if v.get("careatlas")]
    table = Table("figure", *[name for name, _ in sections])
    for figure, label, form in FIGURES:
        values = [values.get(figure) for _, values in sections]
        if any(v is not None for v in values):
            table.add_row(label, *["no value" if v is None else form.format(v) for v in values])
    console.print(table)
    for reason, count in (summary.get("missed_by_reason") or {}).items():
        console.print(f"designated, screen not met: {count:,} ({reason})")
    console.print("per county:", styled(key))


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
