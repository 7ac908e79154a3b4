"""The generator's modules import each other without a cycle, function-level imports included
(issue 15: vocab.py <-> reference.py was one, hidden inside load_vocab), and never the CLI."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import careatlas.synth.vocab

PACKAGE = Path(careatlas.synth.vocab.__file__).parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_no_import_cycle_and_no_cli() -> None:
    modules = {f"careatlas.synth.{p.stem}": _imports(p) for p in PACKAGE.glob("*.py")}
    assert len(modules) > 20
    graph = {name: {i for i in imported if i in modules and i != name} for name, imported in modules.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {error.args[1]}") from None
    assert not {name for name, imported in modules.items() if any(i.startswith("careatlas.cli") for i in imported)}
