"""The production CLI has no generator, report or numpy (issue 15 item 1): the commands that need an
optional part say which extra to install, in one line, exit 2, never a traceback; and importing the
CLI does not import numpy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_cli


@pytest.fixture
def without(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Makes ``module`` unimportable, as when its distribution is not installed."""
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")
    monkeypatch.setenv("CAREATLAS_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))  # the demo sets a default

    def hide(*modules: str) -> None:
        for module in modules:
            monkeypatch.setitem(sys.modules, module, None)
            parent, _, name = module.rpartition(".")  # `from parent import name` reads the attribute first
            if hasattr(sys.modules.get(parent), name):
                monkeypatch.delattr(sys.modules[parent], name)

    return hide


def test_generate_without_the_generator_names_the_extra(without, tmp_path: Path) -> None:
    without("careatlas.synth.command")
    result = run_cli("nppes", "generate", "--rows", "10", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.flat_stderr.startswith("error:careatlasnppesgenerateneedsthesynthextra")
    assert "careatlas-cli[synth]" in result.flat_stderr
    assert not list(tmp_path.glob("*.csv"))


def test_the_demo_without_the_generator_names_the_extra(without, tmp_path: Path) -> None:
    without("careatlas.synth.nppes")
    result = run_cli("demo", "--rows", "10", "--lake", str(tmp_path / "lake"))
    assert result.exit_code == 2 and "careatlas-cli[demo]" in result.flat_stderr


@pytest.mark.parametrize(("hidden", "command"), [
    ("careatlas.report.report", ["report"]),
    ("careatlas.report.trends", ["trends"]),
    ("careatlas.validate.run", ["validate", "--against", "chr"]),
])
def test_the_analysis_commands_without_the_report_name_it(without, hidden: str, command: list[str]) -> None:
    without(hidden)
    result = run_cli(*command)
    assert result.exit_code == 2 and "careatlas-cli[report]" in result.flat_stderr


@pytest.mark.parametrize(("hidden", "command"), [
    ("careatlas.ingest.pipeline", ["ingest", "npidata_pfile_20050523-20250406.csv"]),
    ("careatlas.transform.build", ["transform"]),
    ("careatlas.census.snapshot", ["census", "import", "acs.json", "--year", "2023"]),
    ("careatlas.ingest.reference.load", ["reference", "load", "nucc", "nucc.csv"]),
])
def test_the_in_process_commands_without_the_workers_name_the_extra(without, hidden: str,
                                                                    command: list[str]) -> None:
    without(hidden)
    result = run_cli(*command)
    assert result.exit_code == 2 and "careatlas-cli[embedded]" in result.flat_stderr


def test_importing_the_cli_does_not_import_numpy_or_the_generator() -> None:
    probe = ("import sys, careatlas.cli.main; "
             "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith(('careatlas.synth', "
             "'careatlas.report', 'careatlas.validate', 'plotly'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"
