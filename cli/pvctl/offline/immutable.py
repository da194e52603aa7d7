"""Which changes replace a resource instead of updating it.

ForceNew is not part of a provider schema; it comes from the provider's source through the
generated rules (`rules.rules_for(...).force_new`), plus the CustomizeDiff replacements that
Go code decides (`diff_rules`). Rule paths are dotted names (a nested block's path names the
block); the paths returned are Terraform attribute paths, list indexes included.
"""

from __future__ import annotations

import json
from typing import Any

from pvctl.offline import diff_rules
from pvctl.offline.checks import walk
from pvctl.offline.cty import UNKNOWN
from pvctl.offline.rules import rules_for
from pvctl.offline.schema import Block

Path = list[str | int]


def requires_replace(type_name: str, block: Block, prior: dict, planned: dict) -> list[Path]:
    """Attribute paths whose change forces a replacement."""
    out: list[Path] = []
    for path in rules_for(type_name).force_new:
        for found in _changed(block, prior, planned, path.split("."), []):
            if found not in out:
                out.append(found)
    for steps in diff_rules.replacements(type_name, prior, planned):
        found = _indexed(block, steps)
        if found not in out:
            out.append(found)
    return out


def _changed(block: Block, old: Any, new: Any, steps: list[str], trail: Path) -> list[Path]:
    """Paths (as deep as both values allow) where the value at `steps` differs."""
    if old == new:
        return []
    if not steps:
        # Like the SDK: an immutable value that will only be known after apply (its source
        # is being replaced) forces a replacement too, unless it was never set.
        return [] if old is None and new is UNKNOWN else [trail]
    name, rest = steps[0], steps[1:]
    old_value = old.get(name) if isinstance(old, dict) else None
    new_value = new.get(name) if isinstance(new, dict) else None
    nested = block.block_types.get(name)
    if nested is None or not rest:
        return _changed(block, old_value, new_value, [], trail + [name])
    if nested.nesting in ("single", "group"):
        return _changed(nested.block, old_value, new_value, rest, trail + [name])
    old_items = old_value if isinstance(old_value, list) else []
    new_items = new_value if isinstance(new_value, list) else []
    # Sets have no index to point at, and an added or removed element changes the list itself.
    if nested.nesting != "list" or len(old_items) != len(new_items):
        old_leaves = sorted(_canonical(v) for item in old_items for _, v in walk(item, rest))
        new_leaves = sorted(_canonical(v) for item in new_items for _, v in walk(item, rest))
        return [trail + [name]] if old_leaves != new_leaves else []
    found: list[Path] = []
    for i, (o, n) in enumerate(zip(old_items, new_items, strict=True)):
        found += _changed(nested.block, o, n, rest, trail + [name, i])
    return found


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _indexed(block: Block, steps: list[str]) -> Path:
    """A dotted rule path as a Terraform path through the first element of each list block."""
    out: Path = []
    for step in steps:
        out.append(step)
        nested = block.block_types.get(step)
        if nested is None:
            break
        if nested.nesting == "list":
            out.append(0)
        block = nested.block
    return out
