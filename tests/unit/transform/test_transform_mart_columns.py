"""Every mart column says what it is, in which unit, and where it comes from (issue 12: "every
mart column has a documented unit and source"): a description plus ``config.meta.unit`` and
``config.meta.source`` in the mart's yml, which dbt docs publishes. Names with a unit in them
(``_pct``, ``_per_100k``, ``people_per_``, ``is_``) must say that unit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

MARTS = Path(__file__).resolve().parents[3] / "dbt" / "models" / "marts"
UNIT_BY_NAME = [  # (test on the column name, what its unit must contain)
    (lambda name: name.endswith("_pct") or "_pct_" in name, "percent (0-100)"),
    (lambda name: name.endswith("_per_100k"), "per 100,000 people"),
    (lambda name: name.startswith("people_per_"), "people per"),
    (lambda name: name.startswith(("is_", "has_")), "boolean"),
    (lambda name: name.endswith("_provider_miles"), "miles"),
    (lambda name: name.endswith("_usd"), "US dollars"),
]


def _models() -> dict[str, dict]:
    models = {}
    for path in sorted(MARTS.rglob("*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            models[model["name"]] = model
    return models


def test_every_mart_has_its_yml() -> None:
    assert {p.stem for p in MARTS.rglob("*.sql")} == set(_models())


@pytest.mark.parametrize("mart", sorted(_models()))
def test_every_column_states_its_unit_and_source(mart: str) -> None:
    columns = _models()[mart]["columns"]
    assert columns, f"{mart} lists no columns"
    missing = []
    for column in columns:
        meta = (column.get("config") or {}).get("meta") or {}
        for what, value in (("description", column.get("description")), ("meta.unit", meta.get("unit")),
                            ("meta.source", meta.get("source"))):
            if not isinstance(value, str) or not value.strip():
                missing.append(f"{column['name']}: {what}")
        for applies, unit in UNIT_BY_NAME:
            if applies(column["name"]) and unit not in str(meta.get("unit", "")):
                missing.append(f"{column['name']}: unit {meta.get('unit')!r} does not say {unit!r}")
    assert missing == []
