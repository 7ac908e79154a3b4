"""Clear errors, never tracebacks (issue 14 item 11, review L1, M11, L4): archive damage, workbook
XML, bad run ids (exit 2) and Rich markup in file names or header cells all end in one line."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from fakes.reference_files import HUD_HEADER, HUD_ROWS, write_xlsx
from support import bad_files, nppes_rows
from support.cli import run_cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CAREATLAS_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CAREATLAS_LOG_FORMAT", "json")
    return run_cli


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("command", ["ingest", "land"])
@pytest.mark.parametrize("kind", ["gz-truncated", "zip-bad-crc", "zip-encrypted", "zip-deflate64", "not-nppes"])
def test_damaged_archives_are_one_clear_line(run, tmp_path: Path, command: str, kind: str) -> None:
    bad = bad_files.write(kind, tmp_path)
    result = run(command, str(bad))
    assert result.exit_code == 1
    assert result.flat_stderr.startswith(f"error:{bad}")
    expected = {"zip-encrypted": "is encrypted", "zip-deflate64": "Deflate64", "zip-bad-crc": "Bad CRC-32",
                "gz-truncated": "corrupt or truncated", "not-nppes": "not an NPPES npidata header"}[kind]
    assert _flat(expected) in result.flat_stderr
    assert not (tmp_path / "lake" / "raw").exists()


def test_markup_in_a_file_name_prints_as_text(run, tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "[/]not" / "exist[bold].csv"))
    assert result.exit_code == 1 and _flat("[/]not/exist[bold].csv: no such file") in result.flat_stderr


def test_markup_in_a_header_cell_prints_as_text(run, tmp_path: Path) -> None:
    path = nppes_rows.write(tmp_path / bad_files.NAME, nppes_rows.many(3))
    path.write_bytes(path.read_bytes().replace(b'"Provider First Name"', b'"[/i]"', 1))
    result = run("land", str(path))
    assert result.exit_code == 1 and _flat("unexpected: '[/i]'") in result.flat_stderr


@pytest.mark.parametrize("run_id", ["..", ".", "a/b", "run\n", "x" * 81, "../etc"])
@pytest.mark.parametrize("command", ["status", "watch", "retry", "cancel"])
def test_bad_run_ids_are_usage_errors(run, command: str, run_id: str) -> None:
    result = run(command, run_id)
    assert result.exit_code == 2 and _flat("run id must match") in result.flat_stderr


_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# a billion laughs: expat (2.4+) stops it with its amplification limit, which must surface clearly
_LAUGHS = b"".join(b'<!ENTITY l%d "%s">' % (n + 1, b"&l%d;" % n * 10) for n in range(9))
_BOMB = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">' + _LAUGHS + b"]><worksheet " + _MAIN
         + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>')


@pytest.mark.parametrize(
    "sheet",
    [b"<worksheet " + _MAIN + b"><sheetData><row><c", _BOMB],
    ids=["truncated-xml", "entity-expansion"],
)
def test_damaged_workbook_xml_is_a_clear_error(run, tmp_path: Path, sheet: bytes) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HUD_HEADER, *HUD_ROWS])
    bad = tmp_path / "ZIP_COUNTY_122022.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else data)
    result = run("reference", "load", "hud", str(bad))
    assert result.exit_code == 1
    assert result.flat_stderr.startswith("error:ZIP_COUNTY_122022.xlsx")
    assert re.search(r"isnotanxlsxworkbook:ParseError|XMLcannotberead:ParseError", result.flat_stderr)
