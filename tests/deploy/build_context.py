"""What a ``docker build`` would see, checked without a Docker engine.

``is_excluded`` applies .dockerignore rules the way BuildKit does: patterns are relative to the
context root, ``*`` and ``?`` stay within one path segment, ``**`` spans any number of them, a
pattern that matches a directory also matches everything below it, ``!`` re-includes, and the
last matching pattern wins.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from dockerfile_parse import DockerfileParser


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def read_dockerignore(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def is_excluded(path: str, patterns: list[str]) -> bool:
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for raw in patterns:
        negated = raw.startswith("!")
        body = posixpath.normpath(raw.lstrip("!").strip("/"))
        regex = _pattern_regex(body)
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


@dataclass
class Stage:
    """One FROM ... AS name block of a Dockerfile, instructions in order."""

    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]


def stages(dockerfile: Path) -> list[Stage]:
    """The stages in order; base images with the global ARG defaults substituted."""
    parsed = DockerfileParser(str(dockerfile))
    global_args: dict[str, str] = {}
    result: list[Stage] = []
    for item in parsed.structure:
        name, value = item["instruction"], item["value"]
        if name == "ARG" and not result and "=" in value:
            key, _, default = value.partition("=")
            global_args[key.strip()] = default.strip()
        elif name == "FROM":
            words = value.split()
            alias = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(result))
            base = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m[1], m[0]), words[0])
            result.append(Stage(name=alias, base=base))
        elif result and name != "COMMENT":
            result[-1].instructions.append((name, value))
    return result


def exec_form(value: str) -> list[str]:
    """The argv of a JSON-form CMD/HEALTHCHECK CMD value (after any --options)."""
    start = value.index("[")
    return json.loads(value[start:])


def copy_sources(value: str) -> list[str] | None:
    """Context paths a COPY reads; None when it copies from another stage or image."""
    words = value.split()
    if any(word.startswith("--from=") for word in words):
        return None
    paths = [word for word in words if not word.startswith("--")]
    return paths[:-1]
