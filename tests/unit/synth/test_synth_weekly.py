from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from careatlas.nppes.schema import MAIN_COLUMNS, HeaderMismatch, is_valid_npi
from careatlas.synth.weekly import BaseFileError, generate_weekly


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == MAIN_COLUMNS
        return list(reader)


def _day(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


@pytest.fixture(scope="module")
def delta(small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("weekly") / "weekly.csv"
    summary = generate_weekly(small_file.path, out, rows=200, seed=3)
    return summary, _rows(out)


def test_delta_updates_base_npis_and_adds_new_ones(small_file, records, delta) -> None:
    summary, rows = delta
    base = {r["NPI"]: r for r in records}
    npis = [r["NPI"] for r in rows]
    assert len(rows) == 200 == summary.rows and len(set(npis)) == 200
    assert all(is_valid_npi(npi) for npi in npis)
    known = [r for r in rows if r["NPI"] in base]
    new = [r for r in rows if r["NPI"] not in base]
    assert summary.counts == {"updated": 120, "added": 70, "deactivated": 10}
    assert len(new) == 70 and len(known) == 130
    assert all(base[r["NPI"]]["Entity Type Code"] for r in known)  # only active NPIs change


def test_updates_have_a_new_date_and_a_change(records, delta) -> None:
    summary, rows = delta
    base = {r["NPI"]: r for r in records}
    week_start = summary.release.toordinal() - 6
    for row in (r for r in rows if r["NPI"] in base and r["Entity Type Code"]):
        old = base[row["NPI"]]
        assert week_start <= _day(row["Last Update Date"]).toordinal() <= summary.release.toordinal()
        assert row["Entity Type Code"] == old["Entity Type Code"]
        assert row["Provider Enumeration Date"] == old["Provider Enumeration Date"]
        changed = [c for c in MAIN_COLUMNS if row[c] != old[c] and c != "Last Update Date"]
        assert changed, row["NPI"]
        primary = [row[f"Healthcare Provider Primary Taxonomy Switch_{n}"] for n in range(1, 16)]
        assert primary.count("Y") == 1


def test_new_npis_are_enumerated_this_week(records, delta) -> None:
    summary, rows = delta
    base = {r["NPI"] for r in records}
    for row in (r for r in rows if r["NPI"] not in base):
        assert row["Entity Type Code"] in {"1", "2"}
        assert _day(row["Provider Enumeration Date"]) <= summary.release
        assert summary.release.toordinal() - _day(row["Provider Enumeration Date"]).toordinal() <= 6


def test_deactivations_carry_only_npi_and_date(delta) -> None:
    _, rows = delta
    gone = [r for r in rows if not r["Entity Type Code"]]
    assert len(gone) == 10
    assert all({c for c, v in r.items() if v} == {"NPI", "NPI Deactivation Date"} for r in gone)


def test_release_defaults_to_a_week_after_the_base(small_file, delta) -> None:
    assert delta[0].release == date(2025, 3, 9)  # base released 2025-03-02


def test_release_must_follow_the_base(small_file, tmp_path) -> None:
    with pytest.raises(BaseFileError, match="must be after"):
        generate_weekly(small_file.path, tmp_path / "w.csv", release=date(2025, 3, 1))


def test_base_that_is_not_a_main_file_is_named(tmp_path) -> None:
    bogus = tmp_path / "not_nppes.csv"
    bogus.write_text('"NPI","Name"\n"1","x"\n', encoding="utf-8")
    with pytest.raises(HeaderMismatch, match="not_nppes.csv"):
        generate_weekly(bogus, tmp_path / "w.csv")


def test_same_seed_same_delta(small_file, tmp_path) -> None:
    first = generate_weekly(small_file.path, tmp_path / "a.csv", rows=30, seed=8)
    again = generate_weekly(small_file.path, tmp_path / "b.csv", rows=30, seed=8)
    assert first.path.read_bytes() == again.path.read_bytes()
