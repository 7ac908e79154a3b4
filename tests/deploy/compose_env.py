"""Docker Compose variable interpolation, for checking compose files without a Docker engine.

Follows the compose specification's rules: ``$$`` is a literal ``$``; ``$VAR`` and ``${VAR}``;
``${VAR:-default}`` / ``${VAR-default}``; ``${VAR:?error}`` / ``${VAR?error}``;
``${VAR:+replacement}`` / ``${VAR+replacement}``. The colon forms treat an empty value as unset.
Defaults and replacements may themselves hold variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class MissingVariable(Exception):
    """A required variable (``${VAR:?message}``) is unset: compose refuses to start."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"required variable {name} is missing a value: {message}")
        self.name = name


def interpolate(text: str, env: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            out.append(_expand(text[i + 2 : end], env))
            i = end + 1
        elif match := _NAME.match(text, i + 1):
            out.append(env.get(match.group(), ""))
            i = match.end()
        else:
            raise ValueError(f"invalid interpolation at {i} in {text!r}")
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text.startswith("${", i):
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unclosed ${{ in {text!r}")


def _expand(body: str, env: Mapping[str, str]) -> str:
    match = _NAME.match(body)
    if not match:
        raise ValueError(f"invalid variable name in ${{{body}}}")
    name, rest = match.group(), body[match.end() :]
    if not rest:
        return env.get(name, "")
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:
        raise ValueError(f"unsupported modifier in ${{{body}}}")
    argument = rest[len(operator) :]
    value = env.get(name)
    is_set = value is not None and (value != "" or not operator.startswith(":"))
    if operator.endswith("-"):
        return value if is_set else interpolate(argument, env)
    if operator.endswith("?"):
        if not is_set:
            raise MissingVariable(name, interpolate(argument, env))
        return value
    return interpolate(argument, env) if is_set else ""


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    """Interpolates every string value (not keys) of a parsed compose file."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    return node


def load_compose(path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The compose file as a dict (YAML anchors and merge keys resolved), interpolated if env."""
    document = yaml.safe_load(path.read_text())
    return document if env is None else interpolate_tree(document, env)


def referenced_variables(tree: Any) -> dict[str, bool]:
    """Every variable a parsed compose file interpolates, mapped to whether it is required."""
    found: dict[str, bool] = {}
    for text in _strings(tree):
        unescaped = text.replace("$$", "")
        for match in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)", unescaped):
            name, modifier = match.groups()
            found[name] = found.get(name, False) or modifier.lstrip(":").startswith("?")
        for match in re.finditer(r"\$([A-Za-z_][A-Za-z0-9_]*)", unescaped):
            found.setdefault(match.group(1), False)
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of a .env file; comments and blank lines skipped, quotes removed."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=value: {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def commented_variables(path: Path) -> set[str]:
    """Names documented as commented-out ``# KEY=value`` lines (optional pass-through settings)."""
    pattern = re.compile(r"^#\s*([A-Z][A-Z0-9_]*)=")
    return {m.group(1) for line in path.read_text().splitlines() if (m := pattern.match(line))}
