"""Plan JSON (`terraform show -json`) -> what will change, counted and grouped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Terraform's action lists -> one word. Replacement shows as delete+create in either order.
_ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("read",): "read",
    ("no-op",): "no-op",
    ("forget",): "forget",
}
# Summary counters, as the JSON summary names them.
COUNTED = {"create": "add", "update": "change", "delete": "destroy", "replace": "replace"}


@dataclass(frozen=True)
class Change:
    address: str
    module: str          # "" for the root module
    type: str
    action: str          # create | update | delete | replace | read | no-op | forget
    actions: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)  # the plan's "change" object


def changes(plan: dict[str, Any]) -> list[Change]:
    """Managed-resource changes that do something (no reads, no no-ops)."""
    found = []
    for rc in plan.get("resource_changes") or []:
        if rc.get("mode", "managed") != "managed":
            continue
        acts = tuple(rc["change"]["actions"])
        action = _ACTIONS.get(acts, "-".join(acts))
        if action in ("no-op", "read"):
            continue
        found.append(Change(rc["address"], rc.get("module_address", ""), rc["type"], action, acts, rc["change"]))
    return found


@dataclass(frozen=True)
class PlanSummary:
    phase: str
    changes: list[Change]
    counts: dict[str, int]                       # add, change, destroy, replace
    groups: dict[tuple[str, str], Counter]       # (module, type) -> Counter of actions

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def as_json(self, plan_file: str | None) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "changes": self.counts,
            "resources": [{"address": c.address, "type": c.type, "actions": list(c.actions)} for c in self.changes],
            "plan_file": plan_file,
        }


def summarize(plan: dict[str, Any], phase: str) -> PlanSummary:
    found = changes(plan)
    counts = {name: 0 for name in COUNTED.values()}
    groups: dict[tuple[str, str], Counter] = {}
    for c in found:
        if c.action in COUNTED:
            counts[COUNTED[c.action]] += 1
        groups.setdefault((c.module, c.type), Counter())[c.action] += 1
    return PlanSummary(phase, found, counts, dict(sorted(groups.items())))
