"""The package layers of pvctl import only downward, function-level imports included.

commands > ci > policy > {planning, cost, gcp} > engine > offline > core: a package may import
itself and the packages to its right; planning, cost and gcp are peers and import none of each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cli" / "pvctl"

# Highest first; each inner tuple is one layer of peers.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("commands",), ("ci",), ("policy",), ("planning", "cost", "gcp"), ("engine",), ("offline",), ("core",),
)
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}
# The top-level modules: app.py wires the commands, __main__ runs it, __init__ holds the version.
TOP = {"app", "__main__", "__init__"}


def _package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, pvctl subpackage) of every import in the module, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module
                base = module.split(".")[: -node.level]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
            if names == ["pvctl"]:  # from pvctl import x
                names = [f"pvctl.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "pvctl" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def _violations() -> list[str]:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _package_of(path)
        if own in TOP:
            continue
        module = ".".join(("pvctl", *path.relative_to(PACKAGE).with_suffix("").parts))
        for line, target in _imported(ast.parse(path.read_text(encoding="utf-8")), module):
            if target == own or target == "__init__":
                continue
            if target not in RANK:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports pvctl.{target}, which is in no layer")
            elif RANK[target] <= RANK[own]:
                kind = "a peer" if RANK[target] == RANK[own] else "a higher layer"
                bad.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports pvctl.{target} ({kind})")
    return bad


def test_every_package_is_in_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(RANK), "add the new package to LAYERS (and docs/architecture.md)"


def test_imports_go_only_downward() -> None:
    assert _violations() == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import pvctl.gcp.clients", ["gcp"]),
    ("def f():\n    from pvctl.ci import model\n", ["ci"]),
    ("from pvctl import cost", ["cost"]),
    ("from ..engine import session", ["engine"]),
    ("import json", []),
])
def test_the_checker_sees_every_kind_of_import(source: str, expected: list[str]) -> None:
    assert [t for _, t in _imported(ast.parse(source), "pvctl.offline.validate")] == expected
