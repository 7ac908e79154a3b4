"""``careatlas``: the admin CLI. Each area adds its sub-app here (one line each).

Commands that talk to a running deployment send Celery tasks by name and never import worker
code; commands that run work in-process (the embedded default) import it lazily.
"""

from __future__ import annotations

import typer

from careatlas.cli import (
    demo_commands,
    ingest_commands,
    report_commands,
    run_commands,
    transform_commands,
    trends_commands,
    validate_commands,
    watch,
)
from careatlas.cli.census_commands import census_app
from careatlas.cli.nppes_commands import app as nppes_app
from careatlas.cli.reference_commands import reference_app

app = typer.Typer(
    name="careatlas",
    help="CareAtlas: provider access marts from NPPES, NUCC, HUD and Census ACS.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _main() -> None:
    """CareAtlas admin CLI. Exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 service unreachable."""


demo_commands.register(app)
ingest_commands.register(app)
transform_commands.register(app)
run_commands.register(app)
watch.register(app)
report_commands.register(app)
trends_commands.register(app)
validate_commands.register(app)
app.add_typer(nppes_app, name="nppes")
app.add_typer(census_app, name="census")
app.add_typer(reference_app, name="reference")
