"""Hide values a plan marks sensitive before anything is printed, posted or kept as an artifact.

Plan JSON carries secret values in clear text; only its marks say which, never a guess
over the text:
- `before_sensitive` / `after_sensitive` beside each change's `before` / `after`
  (`resource_changes[].change` and `output_changes.*`);
- `sensitive_values` beside each resource's `values` (`planned_values`, `prior_state`);
- `sensitive` on each output (`planned_values`, `prior_state`, `terraform output -json`).
A mark is either `true` (the whole value) or a structure of the same shape as the value.

Terraform's marks miss values a provider derives from a sensitive one (terraform_data's
`output` copies a sensitive `input` unmarked), so a plan-wide view (`masked_plan`, or
`masked_change` with the plan's `secrets_of`) also hides every string equal to one the
plan marks anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MASK = "(sensitive)"
# Shorter marked values (a flag, a port) would hide unrelated equal values all over a plan.
MIN_SECRET_LENGTH = 6


def mask(value: Any, marks: Any) -> Any:
    """The value with the parts its marks cover replaced by MASK."""
    if marks is True:
        return MASK
    if isinstance(value, dict) and isinstance(marks, dict):
        return {k: mask(v, marks.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(marks, list):
        return [mask(v, marks[i] if i < len(marks) else None) for i, v in enumerate(value)]
    return value


def _collect(value: Any, marks: Any, found: set[str]) -> None:
    """Add the strings of `value` that its marks cover to `found`."""
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
            _collect(sub, marks.get(key), found)
    elif isinstance(value, list) and isinstance(marks, list):
        for item, sub in zip(value, marks, strict=False):
            _collect(item, sub, found)


def _module_resources(module: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    if module:
        yield from module.get("resources") or []
        for child in module.get("child_modules") or []:
            yield from _module_resources(child)


def secrets_of(plan: dict[str, Any]) -> frozenset[str]:
    """Every string the plan marks sensitive somewhere: changes (both sides), values, outputs."""
    found: set[str] = set()
    changes = [rc["change"] for rc in plan.get("resource_changes") or []] + list((plan.get("output_changes") or {}).values())
    for change in changes:
        for side in ("before", "after"):
            _collect(change.get(side), change.get(f"{side}_sensitive"), found)
    for values in (plan.get("planned_values"), (plan.get("prior_state") or {}).get("values")):
        for resource in _module_resources((values or {}).get("root_module")):
            _collect(resource.get("values"), resource.get("sensitive_values"), found)
        for output in ((values or {}).get("outputs") or {}).values():
            _collect(output.get("value"), output.get("sensitive") is True, found)
    return frozenset(found)


def hide(value: Any, secrets: frozenset[str]) -> Any:
    """The value with every string in `secrets` replaced by MASK, wherever it stands."""
    if isinstance(value, dict):
        return {k: hide(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [hide(v, secrets) for v in value]
    return MASK if isinstance(value, str) and value in secrets else value


def masked_change(change: dict[str, Any], secrets: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A resource or output change's before/after: marked parts and `secrets` replaced by MASK."""
    return {side: hide(mask(change.get(side), change.get(f"{side}_sensitive")), secrets) for side in ("before", "after")}


def masked_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The parts of a plan worth an artifact, with sensitive values masked.

    planned_values, prior_state and configuration are left out: they repeat the same
    values under other marks (or none, for literals in configuration).
    """
    secrets = secrets_of(plan)
    return {
        "format_version": plan.get("format_version"), "terraform_version": plan.get("terraform_version"),
        "resource_changes": [{**rc, "change": {**rc["change"], **masked_change(rc["change"], secrets)}}
                             for rc in plan.get("resource_changes") or []],
        "output_changes": {name: {**oc, **masked_change(oc, secrets)} for name, oc in (plan.get("output_changes") or {}).items()},
    }


def masked_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """`terraform output -json` (or state outputs): {name: value}, sensitive ones masked."""
    return {name: mask(body.get("value"), body.get("sensitive") is True) for name, body in outputs.items()}
