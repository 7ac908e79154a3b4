"""The options and arguments several commands share, defined once (help text included)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from careatlas.shared import layout


def _run_id(value: str) -> str:
    try:
        return layout.check_run_id(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


LakeOption = Annotated[str | None, typer.Option(
    "--lake", help="Lake: a folder or s3://bucket/prefix (default CAREATLAS_LAKE).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON).")]
ReferenceOption = Annotated[Path | None, typer.Option(
    "--reference", help="Folder of reference files (default CAREATLAS_REFERENCE_DIR, else ../shared/reference; "
                        "data/reference fills in what it lacks).")]
RunIdArgument = Annotated[str, typer.Argument(help="A run id (see `careatlas runs`).", callback=_run_id)]
