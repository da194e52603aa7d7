"""Which changes replace a resource instead of updating it.

ForceNew is not part of a provider schema; it comes from the provider's source through the
generated rules (`rules.rules_for(...).force_new`), plus the CustomizeDiff replacements that
Go code decides (`diff_rules`). Paths are dotted; a nested block's path names the block.
"""

from __future__ import annotations

from typing import Any

from pvctl.offline import diff_rules
from pvctl.offline.checks import walk
from pvctl.offline.cty import UNKNOWN
from pvctl.offline.rules import rules_for


def requires_replace(type_name: str, prior: dict, planned: dict) -> list[list[str]]:
    """Attribute paths (as name lists) whose change forces a replacement."""
    out = []
    for path in rules_for(type_name).force_new:
        steps = path.split(".")
        old, new = _values(prior, steps), _values(planned, steps)
        # Like the SDK: an immutable value that will only be known after apply (its source
        # is being replaced) forces a replacement too, unless it was never set.
        if old == new or (all(v is None for v in old) and all(v is None or v is UNKNOWN for v in new)):
            continue
        out.append(steps)
    out.extend(p for p in diff_rules.replacements(type_name, prior, planned) if p not in out)
    return out


def _values(value: Any, steps: list[str]) -> list[Any]:
    return [v for _, v in walk(value, steps)] or [None]
