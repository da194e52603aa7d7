"""Plan JSON -> the rows the report shows.

Every value shown comes out of pvctl.planning.masking first (the plan's `*_sensitive`
marks, and every copy of a marked value anywhere in the plan); the masked copy of the
plan that goes into the artifact is `masking.masked_plan`.
"""

from __future__ import annotations

import json
from typing import Any

from pvctl.ci.model import ResourceRow
from pvctl.planning.masking import masked_change, secrets_of
from pvctl.planning.summary import changes

UNKNOWN = "(known after apply)"
MAX_VALUE = 60


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _changed(raw: dict[str, Any], secrets: frozenset[str]) -> tuple[tuple[str, str], ...]:
    before, after = raw.get("before") or {}, raw.get("after") or {}
    unknown = raw.get("after_unknown") or {}
    shown = masked_change(raw, secrets)
    shown_before, shown_after = shown["before"] or {}, shown["after"] or {}
    rows = []
    for key in sorted(set(before) | set(after) | set(unknown)):
        if unknown.get(key) is True:
            if key in before:
                rows.append((key, f"{_show(shown_before.get(key))} → {UNKNOWN}"))
            continue
        # Compared on the real values (two different secrets both show as masked), shown masked.
        if before.get(key) != after.get(key):
            rows.append((key, f"{_show(shown_before.get(key))} → {_show(shown_after.get(key))}"))
    return tuple(rows)


def resource_rows(plan: dict[str, Any]) -> list[ResourceRow]:
    rows, secrets = [], secrets_of(plan)
    for change in changes(plan):
        detail = _changed(change.raw, secrets) if change.action in ("update", "replace") else ()
        rows.append(ResourceRow(change.address, change.action, detail))
    return rows

