"""What moves a resource's monthly cost in a plan: the changes whose undoing alone moves it.

A resource's price depends on some of its own attributes, on other resources (a CDN in front of a
service takes requests off it) and on the phase's usage profile, so the first changed attribute
says nothing about the cause. Each changed attribute of the plan is undone in turn, and the plan
priced again; the usage profile is undone by pricing the starting state with the new profile.
The pricers themselves decide, so no table of price-relevant attributes is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pvctl.cost.delta import ResourceCost
from pvctl.cost.estimate import Estimate
from pvctl.planning.changes import UNKNOWN, AttributeChange, ResourceDiff, Step

CENT = Decimal("0.01")
PROFILE = "usage profile"
_MISSING = object()


@dataclass(frozen=True)
class CostDriver:
    what: str           # an attribute path, with its resource's address when another resource's; or PROFILE
    before: str         # shown values, masked as in the plan summary
    after: str
    effect: Decimal     # what this change alone adds to the resource's monthly cost

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "before": self.before, "after": self.after, "effect": float(self.effect.quantize(CENT))}


def _totals(estimate: Estimate) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for item in estimate.items:
        totals[item.resource] = totals.get(item.resource, Decimal(0)) + item.monthly
    return totals


def _at(node: Any, steps: Iterable[Step | None]) -> Any:
    for step in steps:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return _MISSING
    return node


def _undo(change: dict[str, Any], a: AttributeChange) -> Callable[[], None] | None:
    """Put the `before` value of one changed attribute into `after`; the function that restores it,
    or None where the attribute cannot be undone alone (an entry only one side holds, a value inside
    a JSON string, one known only after apply)."""
    if a.after == UNKNOWN or not a.after_at or None in a.before_at or None in a.after_at:
        return None
    parent, key = _at(change.get("after"), a.after_at[:-1]), a.after_at[-1]
    old = _at(change.get("before"), a.before_at)
    if isinstance(parent, dict) and isinstance(key, str):
        new = parent.get(key, _MISSING)

        def put(value: Any) -> None:
            if value is _MISSING:
                parent.pop(key, None)
            else:
                parent[key] = value
    elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        new, index = parent[key], key

        def put(value: Any) -> None:
            parent[index] = None if value is _MISSING else value
    else:
        return None
    put(old)
    return lambda: put(new)


def cost_drivers(plan: dict[str, Any], diffs: Iterable[ResourceDiff], costs: Iterable[ResourceCost],
                 price: Callable[[dict[str, Any]], Estimate], before: Estimate, before_at_new_profile: Estimate,
                 profiles: tuple[str, str]) -> dict[str, tuple[CostDriver, ...]]:
    """For each resource whose cost changes, the changes that move it, biggest effect first.

    `price` prices the plan's `after` side as the phase does; `before_at_new_profile` is the starting
    state priced with the new usage profile, `profiles` how the two profiles are named."""
    moved = [c.resource for c in costs]
    found: dict[str, list[CostDriver]] = {r: [] for r in moved}
    start, start_new = _totals(before), _totals(before_at_new_profile)
    for r in moved:
        effect = start_new.get(r, Decimal(0)) - start.get(r, Decimal(0))
        if effect.quantize(CENT):
            found[r].append(CostDriver(PROFILE, *profiles, effect))
    after = _totals(price(plan))
    changes = {rc["address"]: rc["change"] for rc in plan.get("resource_changes") or []}
    for diff in diffs:
        change = changes.get(diff.address)
        for a in diff.attributes if change else ():
            restore = _undo(change, a) if change else None
            if restore is None:
                continue
            try:
                undone = _totals(price(plan))
            finally:
                restore()
            for r in moved:
                effect = after.get(r, Decimal(0)) - undone.get(r, Decimal(0))
                if effect.quantize(CENT):
                    what = a.path if r == diff.address else f"{diff.address}.{a.path}"
                    found[r].append(CostDriver(what, a.before, a.after, effect))
    return {r: tuple(sorted(d, key=lambda d: -abs(d.effect))) for r, d in found.items() if d}
