"""Facts read from the repository's HCL with small regular expressions.

Only what the layout tests compare: top-level blocks and their bodies. Terraform itself
(fmt, validate) is the authority on syntax; these helpers assume `terraform fmt`-formatted files.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules"
ENVIRONMENTS = REPO / "environments"

_BLOCK_START = re.compile(r'^(variable|module|output|resource|data|locals|terraform|provider)\b(?: "([^"]+)")?(?: "([^"]+)")? \{', re.M)


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
