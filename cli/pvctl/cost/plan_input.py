"""Read the managed resources out of ``terraform show -json`` plan output.

Offline plans leave computed attributes unknown: they are absent (or null) in ``after`` and
true in ``after_unknown``. Pricers read what the configuration sets and fall back to the
provider's defaults, so unknowns never break an estimate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pvctl.core.errors import PvctlError


class PlanJsonError(PvctlError):
    pass


@dataclass(frozen=True)
class PlannedResource:
    address: str
    type: str
    name: str
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)

    def get(self, *path: str | int, default: Any = None) -> Any:
        """Follow keys and list indexes; blocks are one-element lists in plan JSON."""
        node = _follow(self.values, path)
        return default if node is None else node

    def unknown_at(self, *path: str | int) -> bool:
        """True where the plan marks the value as known only after apply."""
        return _follow(self.unknown, path) is True


def _follow(node: Any, path: tuple[str | int, ...]) -> Any:
    """The value at path (keys and list indexes), or None where the path leads nowhere."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or len(node) <= step:
                return None
        elif not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def load_plan(path: Path) -> dict[str, Any]:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanJsonError(f"plan JSON {path} not found", "pass the output of `terraform show -json PLANFILE`") from None
    except UnicodeDecodeError:
        raise PlanJsonError(f"{path} is not UTF-8 text", "pass the output of `terraform show -json PLANFILE`") from None
    except json.JSONDecodeError as exc:
        raise PlanJsonError(f"{path} is not JSON ({exc.msg}, line {exc.lineno})",
                            "pass the output of `terraform show -json PLANFILE`") from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise PlanJsonError(f"{path} is not a Terraform plan JSON (no format_version)",
                            "pass the output of `terraform show -json PLANFILE`")
    return plan


def _from_planned_values(module: dict[str, Any]) -> list[PlannedResource]:
    found = [
        PlannedResource(r["address"], r["type"], r.get("name", ""), r.get("values") or {})
        for r in module.get("resources", [])
        if r.get("mode", "managed") == "managed"
    ]
    for child in module.get("child_modules", []):
        found.extend(_from_planned_values(child))
    return found


def resources(plan: dict[str, Any], side: Literal["after", "before"] = "after") -> list[PlannedResource]:
    """The managed resources that exist on one side of the plan (deleted ones are absent after)."""
    changes = plan.get("resource_changes")
    if changes is None:
        if side == "before":
            return []
        return _from_planned_values(plan.get("planned_values", {}).get("root_module", {}))
    found = []
    for rc in changes:
        if rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change", {})
        values = change.get(side)
        if values is None:
            continue  # created (before) or destroyed (after)
        unknown = change.get("after_unknown") if side == "after" else {}
        found.append(PlannedResource(rc["address"], rc["type"], rc.get("name", ""), values,
                                     unknown if isinstance(unknown, dict) else {}))
    return found
