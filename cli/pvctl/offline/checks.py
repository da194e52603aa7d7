"""The provider's configuration checks (ValidateResourceConfig), run over a decoded configuration.

Value checks (enum, regexp, range, length, list sizes) skip unknown values, like the SDK,
which validates only what is known. Presence rules (ConflictsWith, ExactlyOneOf,
AtLeastOneOf, RequiredWith) read the configuration the way the SDK does: an argument is
set when it is not null; a group holding an unknown value is not judged. A rule on a nested
argument runs only where its block is present. Messages are the SDK's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pvctl.offline.cty import UNKNOWN
from pvctl.offline.diff_rules import documented_limit_problems
from pvctl.offline.rules import PRESENCE_RULES, rules_for

Step = str | int


@dataclass(frozen=True)
class Problem:
    path: tuple[Step, ...]
    summary: str
    detail: str


def walk(value: Any, steps: list[str], trail: tuple[Step, ...] = ()) -> Iterator[tuple[tuple[Step, ...], Any]]:
    """Every value at a dotted path, with its full path (list indexes of nested blocks included)."""
    if not steps:
        yield trail, value
        return
    if value is None or value is UNKNOWN:
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, steps, trail + (i,))
    elif isinstance(value, dict):
        yield from walk(value.get(steps[0]), steps[1:], trail + (steps[0],))


def first(value: Any, steps: list[str]) -> Any:
    """The value at a path through the first element of each nested block (the SDK's `a.0.b`)."""
    for step in steps:
        if isinstance(value, list):
            value = value[0] if value else None
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _is_set(value: Any) -> bool:
    return value is not None and value != []


def _go_list(values: list) -> str:
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _value_problem(key: str, value: Any, check: dict) -> str | None:
    kind = check["kind"]
    if check.get("or_empty") and value == "":
        return None
    if kind == "enum" and isinstance(value, str):
        values = check["values"]
        ok = value.lower() in (v.lower() for v in values) if check.get("ignore_case") else value in values
        return None if ok else f"expected {key} to be one of {_go_list(values)}, got {value}"
    if kind == "regex" and isinstance(value, str):
        # Go's MatchString finds the pattern anywhere, like re.search.
        return None if _compiled(check["pattern"]).search(value) else \
            f'"{key}" ("{value}") doesn\'t match regexp "{check["pattern"]}"'
    if kind == "range" and isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = check["min"], check["max"]
        if (lo is None or value >= lo) and (hi is None or value <= hi):
            return None
        if lo is not None and hi is not None:
            return f"expected {key} to be in the range ({lo} - {hi}), got {value}"
        return f"expected {key} to be at least ({lo}), got {value}" if lo is not None else \
            f"expected {key} to be at most ({hi}), got {value}"
    if kind == "length" and isinstance(value, str):
        if check["min"] <= len(value) <= check["max"]:
            return None
        return f"expected length of {key} to be in the range ({check['min']} - {check['max']}), got {value}"
    return None


def _key(trail: tuple[Step, ...]) -> str:
    return ".".join(str(s) for s in trail)


def _value_checks(path: str, rule: dict, config: dict, source: str) -> Iterator[Problem]:
    for trail, value in walk(config, path.split(".")):
        if value is None or value is UNKNOWN:
            continue
        for check in rule.get("validate", ()):
            message = _value_problem(_key(trail), value, check)
            if message:
                yield Problem(trail, message, f"Provider rule: {check['kind']} check of {path} ({source}).")
        if isinstance(value, list):
            yield from _size_checks(path, rule, trail, value, source)
            for i, item in enumerate(value):
                if item is None or item is UNKNOWN:
                    continue
                for check in rule.get("validate_elements", ()):
                    message = _value_problem(f"{_key(trail)}.{i}", item, check)
                    if message:
                        detail = f"Provider rule: {check['kind']} check of {path} elements ({source})."
                        yield Problem(trail + (i,), message, detail)


def _size_checks(path: str, rule: dict, trail: tuple[Step, ...], value: list, source: str) -> Iterator[Problem]:
    # An absent nested block decodes as an empty list, like an unset one: only a declared
    # list is counted, so an empty one is never judged.
    if not value or UNKNOWN in value:
        return
    most, least = rule.get("max_items"), rule.get("min_items")
    if most is not None and len(value) > most:
        yield Problem(trail, f"{_key(trail)}: attribute supports {most} item maximum, config has {len(value)} declared",
                      f"Provider rule: max_items of {path} ({source}).")
    if least is not None and len(value) < least:
        yield Problem(trail,
                      f"{_key(trail)}: attribute supports {least} item as a minimum, config has {len(value)} declared",
                      f"Provider rule: min_items of {path} ({source}).")


def _parent_present(config: dict, path: str) -> bool:
    steps = path.split(".")
    return len(steps) == 1 or _is_set(first(config, steps[:-1]))


def _presence_checks(path: str, rule: dict, config: dict, source: str, seen: set) -> Iterator[Problem]:
    if not _parent_present(config, path):
        return
    trail = tuple(path.split("."))
    own = first(config, path.split("."))
    for name in PRESENCE_RULES:
        others = rule.get(name)
        if not others:
            continue
        values = {p: first(config, p.split(".")) for p in others}
        if own is UNKNOWN or UNKNOWN in values.values():
            continue
        detail = f"Provider rule: {name} of {path} ({source})."
        specified = [p for p, v in values.items() if _is_set(v)]
        if name == "conflicts_with" and _is_set(own):
            for other in specified:
                yield Problem(trail, f'"{path}": conflicts with {other}', detail)
        elif name == "required_with" and _is_set(own) and len(specified) < len(others):
            members = tuple(sorted({path, *others}))
            if (name, members) not in seen:
                seen.add((name, members))
                yield Problem(trail, f'"{path}": all of `{",".join(others)}` must be specified', detail)
        elif name in ("exactly_one_of", "at_least_one_of"):
            group = tuple(sorted(others))
            if (name, group) in seen:
                continue
            seen.add((name, group))
            if not specified:
                yield Problem(trail, f'"{path}": one of `{",".join(others)}` must be specified', detail)
            elif name == "exactly_one_of" and len(specified) > 1:
                yield Problem(trail, f'"{path}": only one of `{",".join(others)}` can be specified, '
                                     f'but `{",".join(specified)}` were specified.', detail)


def check_config(type_name: str, config: Any) -> list[Problem]:
    """The errors the provider reports for a resource configuration (empty when it accepts it)."""
    if not isinstance(config, dict):
        return []
    rules = rules_for(type_name)
    problems: list[Problem] = []
    seen: set = set()
    for path, rule in rules.checked:
        problems.extend(_value_checks(path, rule, config, rules.file))
        problems.extend(_presence_checks(path, rule, config, rules.file, seen))
    problems.extend(Problem(*p) for p in documented_limit_problems(type_name, config))
    return problems
