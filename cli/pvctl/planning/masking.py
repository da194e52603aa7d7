"""Hide values a plan marks sensitive before anything is printed or posted.

Plan JSON carries secret values in clear text in `before`/`after`; only the
parallel `before_sensitive`/`after_sensitive` trees say which. A mark is either
`true` (the whole value) or a structure of the same shape as the value.
"""

from __future__ import annotations

from typing import Any

MASK = "(sensitive)"


def mask(value: Any, marks: Any) -> Any:
    if marks is True:
        return MASK
    if isinstance(value, dict) and isinstance(marks, dict):
        return {k: mask(v, marks.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(marks, list):
        return [mask(v, marks[i] if i < len(marks) else None) for i, v in enumerate(value)]
    return value


def masked_change(change: dict[str, Any]) -> dict[str, Any]:
    """A resource change's before/after with sensitive parts replaced by MASK."""
    return {
        "before": mask(change.get("before"), change.get("before_sensitive")),
        "after": mask(change.get("after"), change.get("after_sensitive")),
    }


def masked_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """`terraform output -json` (or state outputs): {name: value}, sensitive ones masked."""
    return {name: MASK if body.get("sensitive") else body.get("value") for name, body in outputs.items()}
