"""Plan JSON -> what each update or replacement changes, attribute path by attribute path.

`template.scaling.max_instance_count: 5 → 10` rather than two copies of a whole resource:
the changed leaves of `before`/`after`, compared on the real values and shown masked
(`pvctl.planning.masking`), each value whole. Nested blocks are one-element lists in plan
JSON; their index is left out of a path unless the list holds more than one element, the
way a reader names them in HCL. Entries of a list of objects that each carry their own `name`
(env vars, ports, volumes) are matched and named by it, `env[REDIS_HOST]`, so an entry inserted
in the middle is one addition rather than a shift of every later one. A string holding a JSON
document (a dashboard) is opened the same way. A replacement names the attributes Terraform gives as the reason (`replace_paths`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pvctl.planning.masking import MASK, masked_change, secrets_of
from pvctl.planning.summary import Change, changes

UNKNOWN = "(known after apply)"
ABSENT = "null"
# The field that identifies an entry of a list of objects (see `_names`).
KEY = "name"

Step = str | int


@dataclass(frozen=True)
class AttributeChange:
    path: str                    # "template.scaling.max_instance_count"
    before: str                  # shown values: masked, whole
    after: str
    forces_replacement: bool = False
    # Where the value stands in the plan's `before` and `after` (list positions, object keys);
    # None past a list entry that side does not hold.
    before_at: tuple[Step | None, ...] = field(default=(), compare=False, repr=False)
    after_at: tuple[Step | None, ...] = field(default=(), compare=False, repr=False)

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


def _names(value: Any) -> list[str] | None:
    """The `name` of each element of a list of objects, when every element has its own, else None.

    Google's APIs identify list entries by `name` (a container's env vars, ports, volumes and their
    mounts), and a reader finds them by it in HCL; the provider keeps them in configuration order,
    so an entry inserted in the middle shifts every index after it. No list, or an empty one, has no names.
    """
    if not isinstance(value, list):
        return [] if value is None else None
    names = [e.get(KEY) if isinstance(e, dict) else None for e in value]
    named = [n for n in names if isinstance(n, str) and n]
    return named if len(named) == len(names) == len(set(named)) else None


def _keyed(before: Any, after: Any) -> tuple[list[str], list[str]] | None:
    """Both sides' element names when the list is identified by name on both sides (and not empty)."""
    b, a = _names(before), _names(after)
    return (b, a) if b is not None and a is not None and (b or a) else None


def path_text(steps: Sequence[Step], before: Any, after: Any) -> str:
    """Dotted path of positional steps (Terraform's `replace_paths`); a list index only where the
    list (on either side) holds several elements, and then the element's name where it has one."""
    parts: list[str] = []
    for step in steps:
        if isinstance(step, int):
            if parts and max(_length(before), _length(after)) > 1:
                keyed = _keyed(before, after)
                names = [] if keyed is None else (keyed[1] if step < len(keyed[1]) else keyed[0])
                parts[-1] += f"[{names[step] if step < len(names) else step}]"
        else:
            parts.append(step)
        before, after = _sub(before, step), _sub(after, step)
    return ".".join(parts)


@dataclass(frozen=True)
class _Side:
    real: Any
    shown: Any

    def at(self, step: Step | None) -> _Side:
        return _Side(None, None) if step is None else _Side(_sub(self.real, step), _sub(self.shown, step))


@dataclass(frozen=True)
class _Step:
    text: str               # ".key", "[NAME]", "[3]", or "" for the index of a one-element block
    before: Step | None     # where the step leads on each side; None where that side lacks the element
    after: Step | None


Trail = tuple[_Step, ...]
_EMPTY = {ABSENT, "[]", "{}"}


def _pairs(b: list[Any], a: list[Any]) -> Iterator[_Step]:
    """The elements of two lists matched up: by name where the list is identified by name
    (in the after side's order, removed entries last), else by position."""
    keyed = _keyed(b, a)
    if keyed is None:
        several = max(len(b), len(a)) > 1
        for i in range(max(len(b), len(a))):
            yield _Step(f"[{i}]" if several else "", i, i)
        return
    names_b, names_a = keyed
    several = max(len(b), len(a)) > 1 or names_b != names_a
    for name in names_a + [n for n in names_b if n not in names_a]:
        yield _Step(f"[{name}]" if several else "", names_b.index(name) if name in names_b else None,
                    names_a.index(name) if name in names_a else None)


def _walk(before: _Side, after: _Side, unknown: Any, trail: Trail, added: bool = False) -> Iterator[tuple[Trail, str, str]]:
    """`added`: inside a named entry the change adds, where a value known only after apply is news too."""
    if unknown is True:
        if before.real is not None or added:
            yield trail, show(before.shown), UNKNOWN
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
            yield from _walk(_Side(doc_b, doc_b), _Side(doc_a, doc_a), None, trail, added)
            return
    if not opaque and isinstance(b, dict | None) and isinstance(a, dict | None) and (b or a):
        # Plan JSON leaves a value known only after apply out of `after`: `after_unknown` names it.
        for key in sorted(set(b or {}) | set(a or {}) | set(unknown if isinstance(unknown, dict) else {})):
            yield from _walk(before.at(key), after.at(key), _sub(unknown, key), (*trail, _Step(f".{key}", key, key)), added)
        return
    if (not opaque and isinstance(b, list | None) and isinstance(a, list | None) and (b or a)
            and not (_scalar_list(b) and _scalar_list(a))):
        named = _keyed(b, a) is not None
        for step in _pairs(b or [], a or []):
            comes = named and step.before is None
            found = list(_walk(before.at(step.before), after.at(step.after),
                               None if step.after is None else _sub(unknown, step.after), (*trail, step), added or comes))
            if named and None in (step.before, step.after):
                # An entry that comes or goes is named in its path: its other fields, where not empty, say the rest.
                key = [f for f in found if f[0][len(trail) + 1:] == (_Step(f".{KEY}", KEY, KEY),)]
                found = [f for f in found if f not in key and not {f[1], f[2]} <= _EMPTY] or key
            yield from found
        return
    yield trail, show(before.shown), show(after.shown)


def _text(trail: Trail) -> str:
    return "".join(s.text for s in trail).removeprefix(".")


def _forces(trail: Trail, forcing: list[tuple[Step, ...]]) -> bool:
    """Whether a changed path lies on, under or above a path Terraform says forces replacement,
    in the positions of either side that holds it."""
    sides = (tuple(s.before for s in trail), tuple(s.after for s in trail))
    return any(steps[:len(p)] == p or p[:len(steps)] == steps
               for steps in sides if None not in steps for p in forcing)


def attribute_changes(change: dict[str, Any], secrets: frozenset[str] = frozenset()) -> tuple[AttributeChange, ...]:
    """The changed leaves of one resource change (`resource_changes[].change`), masked."""
    shown = masked_change(change, secrets)
    before, after = change.get("before"), change.get("after")
    forcing = [tuple(p) for p in change.get("replace_paths") or []]
    found = []
    for trail, old, new in _walk(_Side(before, shown["before"]), _Side(after, shown["after"]), change.get("after_unknown"), ()):
        found.append(AttributeChange(_text(trail), old, new, _forces(trail, forcing),
                                     tuple(s.before for s in trail), tuple(s.after for s in trail)))
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
