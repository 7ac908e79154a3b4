"""The CLI's one table of exit codes (careatlas.cli.errors): every class it names exists, the most
specific class of an error decides, a command's own meaning wins at its level, and an exit on the
way out is never remapped."""

from __future__ import annotations

import importlib

import pytest
import typer

from careatlas.cli.errors import EXIT_CODES, exit_code, exit_codes
from careatlas.cli.output import ExitCode
from careatlas.runs import lifecycle
from careatlas.shared.storage import LakeError, LakeKeyNotFound, LakeUnavailable


@pytest.mark.parametrize("name", sorted(EXIT_CODES))
def test_every_class_the_table_names_exists(name: str) -> None:
    module, _, qualname = name.rpartition(".")
    kind = getattr(importlib.import_module(module), qualname)
    assert isinstance(kind, type) and issubclass(kind, Exception), name


def test_the_most_specific_class_decides() -> None:
    assert exit_code(lifecycle.ReleaseBusy("busy")) == ExitCode.FAILED  # a RunRefused, but busy means failed
    assert exit_code(lifecycle.RunRefused("no")) == ExitCode.USAGE
    assert exit_code(LakeUnavailable("down")) == ExitCode.UNAVAILABLE
    assert exit_code(LakeKeyNotFound("gone")) == ExitCode.FAILED  # a LakeError, unless the command says
    assert exit_code(LakeKeyNotFound("gone"), {LakeKeyNotFound: ExitCode.NOT_FOUND}) == ExitCode.NOT_FOUND
    assert exit_code(ValueError("bad")) is None
    assert exit_code(ValueError("bad"), {ValueError: ExitCode.USAGE}) == ExitCode.USAGE


def test_an_error_outside_the_table_propagates() -> None:
    with pytest.raises(KeyError), exit_codes({ValueError: ExitCode.FAILED}):
        raise KeyError("x")


def test_an_exit_on_the_way_out_is_not_remapped() -> None:
    with pytest.raises(typer.Exit) as raised, exit_codes({RuntimeError: ExitCode.FAILED}):
        raise typer.Exit(3)  # a RuntimeError subclass
    assert raised.value.exit_code == 3


def test_an_expected_error_is_one_line_and_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as raised, exit_codes():
        raise LakeError("s3://bucket/key: refused")
    assert raised.value.exit_code == ExitCode.FAILED
    assert capsys.readouterr().err.strip() == "error: s3://bucket/key: refused"
