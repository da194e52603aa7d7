"""Plan JSON -> the rows the report shows, and the copy of the plan that may leave the machine.

Every value shown comes out of pvctl.planning.masking first: the plan's `*_sensitive`
marks decide what is hidden, never a guess over the text. Terraform's marks miss values
a provider derives from a sensitive one (terraform_data's `output` copies a sensitive
`input` unmarked), so a value marked sensitive anywhere in the plan is hidden everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from pvctl.ci.model import ResourceRow
from pvctl.planning.masking import MASK, mask, masked_change
from pvctl.planning.summary import changes

UNKNOWN = "(known after apply)"
MAX_VALUE = 60
# Shorter marked values (a flag, a port) would hide unrelated equal values all over the report.
MIN_SECRET_LENGTH = 6


def _marked(value: Any, marks: Any, found: set[str]) -> None:
    if marks is True:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and len(item) >= MIN_SECRET_LENGTH:
                found.add(item)
    elif isinstance(value, dict) and isinstance(marks, dict):
        for key, sub in value.items():
            _marked(sub, marks.get(key), found)
    elif isinstance(value, list) and isinstance(marks, list):
        for item, sub in zip(value, marks):
            _marked(item, sub, found)


def sensitive_values(plan: dict[str, Any]) -> frozenset[str]:
    """Every string the plan marks sensitive somewhere (resources and outputs, both sides)."""
    found: set[str] = set()
    changes_ = [rc["change"] for rc in plan.get("resource_changes") or []] + list((plan.get("output_changes") or {}).values())
    for change in changes_:
        for side in ("before", "after"):
            _marked(change.get(side), change.get(f"{side}_sensitive"), found)
    return frozenset(found)


def _hide(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _hide(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide(v, secrets) for v in value]
    return MASK if isinstance(value, str) and value in secrets else value


def _masked(change: dict[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    return {side: _hide(value, secrets) for side, value in masked_change(change).items()}


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _changed(raw: dict[str, Any], secrets: frozenset[str]) -> tuple[tuple[str, str], ...]:
    before, after = raw.get("before") or {}, raw.get("after") or {}
    unknown = raw.get("after_unknown") or {}
    shown = _masked(raw, secrets)
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
    rows, secrets = [], sensitive_values(plan)
    for change in changes(plan):
        detail = _changed(change.raw, secrets) if change.action in ("update", "replace") else ()
        rows.append(ResourceRow(change.address, change.action, detail))
    return rows


def masked_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The parts of a plan worth an artifact, with sensitive values masked.

    planned_values, prior_state and configuration are left out: they repeat the same
    values under other marks (or none, for literals in configuration).
    """
    resource_changes, secrets = [], sensitive_values(plan)
    for rc in plan.get("resource_changes") or []:
        change = dict(rc["change"])
        change.update(_masked(change, secrets))
        resource_changes.append({**rc, "change": change})
    output_changes = {}
    for name, oc in (plan.get("output_changes") or {}).items():
        output_changes[name] = {**oc, "before": _hide(mask(oc.get("before"), oc.get("before_sensitive")), secrets),
                                "after": _hide(mask(oc.get("after"), oc.get("after_sensitive")), secrets)}
    return {
        "format_version": plan.get("format_version"), "terraform_version": plan.get("terraform_version"),
        "resource_changes": resource_changes, "output_changes": output_changes,
    }
