"""The small re-implementations the deployment checks rely on: compose interpolation,
.dockerignore matching, label selectors and quantities. Each table holds the documented
behaviour of the real tool."""

from __future__ import annotations

import pytest
from build_context import is_excluded
from compose_env import MissingVariable, interpolate, referenced_variables
from k8s_render import duckdb_bytes, quantity, selector_matches

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("$$HOME and $${X}", "$HOME and ${X}"),
    ("$SET/${SET}", "value/value"),
    ("${UNSET}", ""),
    ("${UNSET:-fallback}", "fallback"),
    ("${EMPTY:-fallback}", "fallback"),
    ("${EMPTY-fallback}", ""),
    ("${UNSET-fallback}", "fallback"),
    ("${SET:+alt}", "alt"),
    ("${EMPTY:+alt}", ""),
    ("${EMPTY+alt}", "alt"),
    ("${UNSET:-${SET}}", "value"),
    ("redis://:${SET:?need it}@redis:6379/0", "redis://:value@redis:6379/0"),
])
def test_interpolation_follows_the_compose_specification(text: str, expected: str) -> None:
    assert interpolate(text, ENV) == expected


@pytest.mark.parametrize("text", ["${UNSET:?set UNSET}", "${EMPTY:?set EMPTY}", "${UNSET?x}"])
def test_required_variable_raises_with_its_name(text: str) -> None:
    with pytest.raises(MissingVariable) as excinfo:
        interpolate(text, ENV)
    assert excinfo.value.name in text


def test_empty_is_allowed_by_the_colonless_required_form() -> None:
    assert interpolate("${EMPTY?x}", ENV) == ""


@pytest.mark.parametrize("text", ["${", "${1BAD}", "${SET%%x}", "$ alone"])
def test_malformed_interpolation_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        interpolate(text, ENV)


def test_referenced_variables_skip_escapes_and_flag_required() -> None:
    tree = {"a": ["${A:?x}", "$$B", "${C:-d}"], "b": {"c": "$D"}, "n": 3}
    assert referenced_variables(tree) == {"A": True, "C": False, "D": False}


ALLOW_LIST = ["*", "!shared/", "!dbt/", "**/__pycache__", "dbt/target", "**/.env"]


@pytest.mark.parametrize(("path", "excluded"), [
    ("README.md", True),
    ("shared/pyproject.toml", False),
    ("shared/careatlas/shared/settings.py", False),
    ("shared/careatlas/__pycache__/x.pyc", True),
    ("dbt/models/a.sql", False),
    ("dbt/target/manifest.json", True),
    ("shared/.env", True),
    (".env", True),
    ("sharedx/file", True),
])
def test_dockerignore_matching(path: str, excluded: bool) -> None:
    assert is_excluded(path, ALLOW_LIST) is excluded


def test_dockerignore_last_match_wins() -> None:
    assert is_excluded("a/b.txt", ["a", "!a/b.txt"]) is False
    assert is_excluded("a/b.txt", ["!a/b.txt", "a"]) is True
    assert is_excluded("a/x/b.txt", ["a/*/b.txt"]) is True
    assert is_excluded("a/x/y/b.txt", ["a/*/b.txt"]) is False


@pytest.mark.parametrize(("selector", "labels", "matches"), [
    ({}, {"a": "1"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"b": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"b": "1"}, True),
])
def test_label_selector(selector: dict, labels: dict, matches: bool) -> None:
    assert selector_matches(selector, labels) is matches


@pytest.mark.parametrize(("value", "number"), [
    ("1536Mi", 1536 * 2**20), ("1Gi", 2**30), ("500m", 0.5), ("2", 2.0), (2, 2.0), ("1G", 1e9),
])
def test_quantity(value, number: float) -> None:
    assert quantity(value) == number


@pytest.mark.parametrize(("value", "number"), [("4GB", 4 * 2**30), ("512MiB", 512 * 2**20)])
def test_duckdb_sizes_err_high(value: str, number: float) -> None:
    assert duckdb_bytes(value) == number


@pytest.mark.parametrize("bad", ["1.5.5Gi", "lots", "4 GB of RAM"])
def test_bad_sizes_are_errors(bad: str) -> None:
    with pytest.raises(ValueError):
        quantity(bad) if "GB" not in bad else duckdb_bytes(bad)
