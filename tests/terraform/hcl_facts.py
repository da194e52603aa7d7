"""Facts read from the repository's HCL with small regular expressions.

Only what the tests compare: declared variable names and their bodies, module
calls and their sources, literal output values. Terraform itself (fmt, validate)
is the authority on syntax; these helpers assume `terraform fmt`-formatted files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules"
ENVIRONMENTS = REPO / "environments"
PHASES_TOML = REPO / "cli" / "pvctl" / "data" / "phases.toml"
NOT_VARIABLES = {"summary", "order", "usage"}

_BLOCK_START = re.compile(r'^(variable|module|output|resource|data|locals|terraform|provider)\b(?: "([^"]+)")?(?: "([^"]+)")? \{', re.M)


def phases() -> dict[str, dict]:
    from pvctl.core.phases import SHARED_TABLES

    with PHASES_TOML.open("rb") as fh:
        return {name: body for name, body in tomllib.load(fh).items() if name not in SHARED_TABLES}


def top_level_blocks(path: Path, kind: str) -> dict[str, str]:
    """Name (`type.name` for resources) → body of each top-level block of `kind`.

    fmt puts top-level blocks at column 0 and closes them with a lone `}`.
    """
    text = path.read_text()
    blocks: dict[str, str] = {}
    for match in _BLOCK_START.finditer(text):
        if match.group(1) != kind:
            continue
        end = text.find("\n}", match.end())
        key = match.group(2) if match.group(3) is None else f"{match.group(2)}.{match.group(3)}"
        blocks[key] = text[match.end(): end if end != -1 else len(text)]
    return blocks


def blocks_in_dir(folder: Path, kind: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tf in sorted(folder.glob("*.tf")):
        found.update(top_level_blocks(tf, kind))
    return found


def object_attributes(variable_body: str) -> list[str]:
    """Attribute names of a `type = object({...})` declaration."""
    match = re.search(r"type\s*=\s*object\(\{(.*?)\n\s*\}\)", variable_body, re.S)
    if not match:
        return []
    return re.findall(r"^\s*([a-z_][a-z0-9_]*)\s*=", match.group(1), re.M)


def attribute(body: str, name: str) -> str | None:
    """The raw right-hand side of a top-level `name = value` line of a block body."""
    match = re.search(rf"^  {re.escape(name)}\s*=\s*(.+)$", body, re.M)
    return match.group(1).strip() if match else None


def module_sources(environment: Path) -> dict[str, str]:
    return {name: attribute(body, "source").strip('"') for name, body in blocks_in_dir(environment, "module").items()}
