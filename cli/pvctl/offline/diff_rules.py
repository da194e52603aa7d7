"""Provider behaviour decided by Go code at plan time (CustomizeDiff) or stated only in the docs.

`rules_build` cannot derive these from schema declarations, so each is written here once,
naming the provider file (hashicorp/terraform-provider-google, 8.0.0 line) it restates.
Everything else comes from the generated rules file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pvctl.offline.cty import UNKNOWN


def _int(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _redis_version(value: Any) -> Any:
    # REDIS_7_2 -> (7, 2); REDIS_6_X -> (6, 0): the provider compares major, then minor.
    try:
        major, minor = str(value).split("_")[1:3]
        return int(major), int(minor) if minor.isdigit() else 0
    except (ValueError, IndexError):
        return None


@dataclass(frozen=True)
class ReplaceIfDecreased:
    """`customdiff.ForceNewIfChange(path, <decrease>)`: lowering the value replaces the resource."""

    type_name: str
    path: str
    source: str
    key: Callable[[Any], Any] = _int


@dataclass(frozen=True)
class ReplaceIfCleared:
    """A CustomizeDiff that forces a replacement when a set value is removed."""

    type_name: str
    path: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ReplaceIfChanged:
    """`customdiff.ForceNewIf(path, ...)` on an Optional+Computed attribute: a known value that
    changes replaces the resource (an omitted one keeps the prior value, so it never changes)."""

    type_name: str
    path: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class KeepLargerUnless:
    """A CustomizeDiff that drops a decrease of `path` unless `switch` is explicitly false."""

    type_name: str
    path: tuple[str, ...]
    switch: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class MaxLength:
    """A limit the provider documents but does not validate: the API rejects it at apply."""

    type_name: str
    attribute: str
    limit: int
    source: str


REPLACE_IF_DECREASED = (
    ReplaceIfDecreased("google_vpc_access_connector", "min_instances",
                       "google/services/vpcaccess/resource_vpc_access_connector.go (isInstanceShrinkage)"),
    ReplaceIfDecreased("google_vpc_access_connector", "max_instances",
                       "google/services/vpcaccess/resource_vpc_access_connector.go (isInstanceShrinkage)"),
    ReplaceIfDecreased("google_redis_instance", "redis_version",
                       "google/services/redis/resource_redis_instance.go (isRedisVersionDecreasing)", _redis_version),
)
REPLACE_IF_CLEARED = (
    ReplaceIfCleared("google_sql_database_instance", ("settings", "ip_configuration", "private_network"),
                     "google/services/sql/resource_sql_database_instance.go (privateNetworkCustomizeDiff)"),
)
# The provider's exception, a switchover seen from the old primary's side, is not modelled: no
# module here configures a switchover.
REPLACE_IF_CHANGED = (
    ReplaceIfChanged("google_sql_database_instance", ("master_instance_name",),
                     "google/services/sql/resource_sql_database_instance.go (ForceNewIf master_instance_name)"),
)
KEEP_LARGER = (
    KeepLargerUnless("google_sql_database_instance", ("settings", "disk_size"), ("settings", "disk_autoresize"),
                     "google/services/sql/resource_sql_database_instance.go (diskSizeCutomizeDiff)"),
)
MAX_LENGTH = (
    MaxLength("google_vpc_access_connector", "name", 25, "website/docs/r/vpc_access_connector.html.markdown"),
)


def _get(value: Any, steps: tuple[str, ...]) -> Any:
    for step in steps:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def replacements(type_name: str, prior: dict, planned: dict) -> list[list[str]]:
    """Paths whose change replaces the resource by the CustomizeDiff rules above."""
    out = []
    for rule in REPLACE_IF_DECREASED:
        if rule.type_name == type_name:
            old, new = rule.key(prior.get(rule.path)), rule.key(planned.get(rule.path))
            if old is not None and new is not None and new < old:
                out.append([rule.path])
    for cleared in REPLACE_IF_CLEARED:
        if cleared.type_name == type_name and _get(prior, cleared.path) not in (None, "") \
                and _get(planned, cleared.path) in (None, ""):
            out.append(list(cleared.path))
    for changed in REPLACE_IF_CHANGED:
        old, new = _get(prior, changed.path), _get(planned, changed.path)
        if changed.type_name == type_name and new is not UNKNOWN and new is not None and old != new:
            out.append(list(changed.path))
    return out


def adjust(type_name: str, prior: dict | None, planned: dict) -> dict:
    """The planned value after CustomizeDiff rules that rewrite it (a copy when changed)."""
    for rule in KEEP_LARGER:
        if rule.type_name != type_name or prior is None:
            continue
        old, new = _int(_get(prior, rule.path)), _int(_get(planned, rule.path))
        switch = _get(planned, rule.switch)
        if old is None or new is None or new >= old or switch is False or switch is UNKNOWN:
            continue
        planned = copy.deepcopy(planned)
        holder = planned
        for step in rule.path[:-1]:
            holder = holder[step][0] if isinstance(holder[step], list) else holder[step]
        holder[rule.path[-1]] = old
    return planned


def documented_limit_problems(type_name: str, config: dict) -> Iterator[tuple[tuple[str, ...], str, str]]:
    for rule in MAX_LENGTH:
        value = config.get(rule.attribute) if rule.type_name == type_name else None
        if isinstance(value, str) and len(value) > rule.limit:
            yield ((rule.attribute,), f"{rule.attribute} must be at most {rule.limit} characters, got {len(value)}",
                   f"Documented provider limit ({rule.source}); the API rejects longer values at apply.")
