"""Plan JSON -> what each update or replacement changes, attribute path by attribute path.

`template.scaling.max_instance_count: 5 → 10` rather than two copies of a whole resource:
the changed leaves of `before`/`after`, compared on the real values and shown masked
(`pvctl.planning.masking`), each value whole. Nested blocks are one-element lists in plan
JSON; their index is left out of a path unless the list holds more than one element, the
way a reader names them in HCL. A string holding a JSON document (a dashboard) is opened the
same way. A replacement names the attributes Terraform gives as the reason (`replace_paths`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pvctl.planning.masking import MASK, masked_change, secrets_of
from pvctl.planning.summary import Change, changes

UNKNOWN = "(known after apply)"
ABSENT = "null"

Step = str | int


@dataclass(frozen=True)
class AttributeChange:
    path: str                    # "template.scaling.max_instance_count"
    before: str                  # shown values: masked, whole
    after: str
    forces_replacement: bool = False

    def line(self) -> str:
        return f"{self.path}: {self.before} → {self.after}"


@dataclass(frozen=True)
class ResourceDiff:
    address: str
    type: str
    action: str                                  # create | update | delete | replace | forget
    attributes: tuple[AttributeChange, ...] = ()  # updates and replacements only
    replaced_because: tuple[str, ...] = ()        # the paths that force a replacement

    def as_json(self) -> dict[str, Any]:
        return {"address": self.address, "type": self.type, "action": self.action,
                "attributes": [{"path": a.path, "before": a.before, "after": a.after,
                                "forces_replacement": a.forces_replacement} for a in self.attributes],
                "replaced_because": list(self.replaced_because)}


def show(value: Any) -> str:
    """One value as a reviewer reads it: bare strings and numbers, compact JSON for structures."""
    if value is None:
        return ABSENT
    if isinstance(value, str) and value and "\n" not in value and value.strip() == value:
        return value
    return json.dumps(value, separators=(", ", ": "), sort_keys=True)


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _json_document(value: Any) -> Any:
    """A string attribute holding a JSON object or array (a dashboard, a policy document), decoded; else None."""
    if not isinstance(value, str) or value.lstrip()[:1] not in ("{", "["):
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict | list) else None


def _sub(node: Any, step: Step) -> Any:
    if isinstance(node, str):
        node = _json_document(node)
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


def _length(node: Any) -> int:
    return len(node) if isinstance(node, list) else 0


def _element_name(before: Any, after: Any) -> str | None:
    """A list element's `name` (an env var, a port) when both sides agree on it: `env[REDIS_HOST]`."""
    names = {e.get("name") for e in (before, after) if isinstance(e, dict)}
    name = names.pop() if len(names) == 1 else None
    return name if isinstance(name, str) and name else None


def path_text(steps: Sequence[Step], before: Any, after: Any) -> str:
    """Dotted path; a list index only where the list (on either side) holds several elements,
    and then the element's name where it has one."""
    parts: list[str] = []
    for step in steps:
        if isinstance(step, int):
            if parts and max(_length(before), _length(after)) > 1:
                parts[-1] += f"[{_element_name(_sub(before, step), _sub(after, step)) or step}]"
        else:
            parts.append(step)
        before, after = _sub(before, step), _sub(after, step)
    return ".".join(parts)


@dataclass(frozen=True)
class _Side:
    real: Any
    shown: Any

    def at(self, step: Step) -> _Side:
        return _Side(_sub(self.real, step), _sub(self.shown, step))


def _walk(before: _Side, after: _Side, unknown: Any, steps: tuple[Step, ...]) -> Iterator[tuple[tuple[Step, ...], str, str]]:
    if unknown is True:
        if before.real is not None:
            yield steps, show(before.shown), UNKNOWN
        return
    if before.real == after.real:
        return
    # A sensitive value is compared, never opened: its parts would show what the mark hides.
    opaque = MASK in (before.shown, after.shown)
    b, a = before.real, after.real
    if not opaque:
        # A JSON document kept in a string diffs by path inside it, as Terraform's own plan output does;
        # documents equal once decoded (only the spelling changed) fall through to the whole values.
        doc_b, doc_a = _json_document(b), _json_document(a)
        if doc_b is not None and doc_a is not None and doc_b != doc_a:
            yield from _walk(_Side(doc_b, doc_b), _Side(doc_a, doc_a), None, steps)
            return
    if not opaque and isinstance(b, dict | None) and isinstance(a, dict | None) and (b or a):
        for key in sorted(set(b or {}) | set(a or {})):
            yield from _walk(before.at(key), after.at(key), _sub(unknown, key), (*steps, key))
        return
    if (not opaque and isinstance(b, list | None) and isinstance(a, list | None) and (b or a)
            and not (_scalar_list(b) and _scalar_list(a))):
        for index in range(max(len(b or []), len(a or []))):
            yield from _walk(before.at(index), after.at(index), _sub(unknown, index), (*steps, index))
        return
    yield steps, show(before.shown), show(after.shown)


def attribute_changes(change: dict[str, Any], secrets: frozenset[str] = frozenset()) -> tuple[AttributeChange, ...]:
    """The changed leaves of one resource change (`resource_changes[].change`), masked."""
    shown = masked_change(change, secrets)
    before, after = change.get("before"), change.get("after")
    forcing = [tuple(p) for p in change.get("replace_paths") or []]
    found = []
    for steps, old, new in _walk(_Side(before, shown["before"]), _Side(after, shown["after"]), change.get("after_unknown"), ()):
        forces = any(steps[:len(p)] == p or p[:len(steps)] == steps for p in forcing)
        found.append(AttributeChange(path_text(steps, before, after), old, new, forces))
    return tuple(found)


def _diff(c: Change, secrets: frozenset[str]) -> ResourceDiff:
    if c.action not in ("update", "replace"):
        return ResourceDiff(c.address, c.type, c.action)
    before, after = c.raw.get("before"), c.raw.get("after")
    because = tuple(path_text(p, before, after) for p in c.raw.get("replace_paths") or [])
    return ResourceDiff(c.address, c.type, c.action, attribute_changes(c.raw, secrets), because)


def resource_diffs(plan: dict[str, Any]) -> list[ResourceDiff]:
    """Every managed-resource change of a plan that does something, with its changed attributes."""
    secrets = secrets_of(plan)
    return [_diff(c, secrets) for c in changes(plan)]
