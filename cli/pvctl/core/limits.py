"""Google's limits on the phase values a user can set, checked when the configuration loads.

Terraform must never be the first to reject a `pvctl.toml` value: a plan that fails late
(or an apply that fails half-way at the API) costs far more than one line naming the field.
Each rule cites the Google documentation page the limit comes from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

RUN_CPU = "https://cloud.google.com/run/docs/configuring/services/cpu"
RUN_MEMORY = "https://cloud.google.com/run/docs/configuring/services/memory-limits"
RUN_MIN = "https://cloud.google.com/run/docs/configuring/min-instances"
RUN_MAX = "https://cloud.google.com/run/docs/configuring/max-instances"
RUN_CONCURRENCY = "https://cloud.google.com/run/docs/about-concurrency"
RUN_TIMEOUT = "https://cloud.google.com/run/docs/configuring/request-timeout"
CONNECTOR = "https://cloud.google.com/vpc/docs/serverless-vpc-access#scaling"
REDIS_TIERS = "https://cloud.google.com/memorystore/docs/redis/redis-tiers"
REDIS_CAPACITY = "https://cloud.google.com/memorystore/docs/redis/pricing#instance_pricing"
REDIS_VERSIONS = "https://cloud.google.com/memorystore/docs/redis/supported-versions"
SQL_EDITIONS = "https://cloud.google.com/sql/docs/editions-intro"
SQL_MACHINE = "https://cloud.google.com/sql/docs/postgres/instance-settings#machine-type-2ndgen"
SQL_SETTINGS = "https://cloud.google.com/sql/docs/postgres/instance-settings"
SQL_BACKUPS = "https://cloud.google.com/sql/docs/postgres/backup-recovery/backups"
SQL_PITR = "https://cloud.google.com/sql/docs/postgres/backup-recovery/pitr"
ARMOR_RATE = "https://cloud.google.com/armor/docs/rate-limiting-overview"
ALERTS = "https://cloud.google.com/monitoring/alerts/concepts-indepth"
UPTIME = "https://cloud.google.com/monitoring/uptime-checks"
BUDGETS = "https://cloud.google.com/billing/docs/how-to/budgets"
SECRET_IDS = "https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create"

# Problem: (field, what is wrong, the fix). `Where` turns a key of the table into its field name.
Problem = tuple[str, str, str]
Where = Callable[[str], str]

_RUN_MAX_INSTANCES = 1000                       # RUN_MAX: higher only after a quota increase
_RUN_MAX_MEMORY_GIB = {1: 4, 2: 8, 4: 16, 6: 24, 8: 32}   # RUN_MEMORY: memory a CPU count allows
_RUN_MIN_MEMORY_GIB = {4: 2, 6: 4, 8: 4}                   # RUN_MEMORY: memory a CPU count needs
_CONNECTOR_TYPES = ("f1-micro", "e2-micro", "e2-standard-4")
_REDIS_VERSIONS = ("REDIS_3_2", "REDIS_4_0", "REDIS_5_0", "REDIS_6_X", "REDIS_7_0", "REDIS_7_2")
_SHARED_CORE = ("db-f1-micro", "db-g1-small")
_CUSTOM_TIER = re.compile(r"^db-custom-(\d+)-(\d+)$")
_TIER = re.compile(r"^db-[a-z0-9]+(?:-[a-z0-9]+)+$")
_SECRET_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Mi|Gi)$")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _between(where: Where, table: Mapping[str, Any], key: str, low: float, high: float, fix: str, url: str) -> Iterator[Problem]:
    value = table.get(key)
    if value is not None and not _number(value):
        yield where(key), f"{value!r} must be a number, not {type(value).__name__}", f"write one in {low:g}..{high:g}, unquoted ({url})"
    elif value is not None and not low <= value <= high:
        yield where(key), f"{value!r} is outside {low:g}..{high:g}", f"{fix} ({url})"


def _one_of(where: Where, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], url: str) -> Iterator[Problem]:
    value = table.get(key)
    if value is not None and value not in allowed:
        yield where(key), f"{value!r} is not one of {', '.join(allowed)}", f"use one of them ({url})"


def _cpu(text: str) -> float | None:
    try:
        return int(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None


def _gib(text: str) -> float | None:
    match = _QUANTITY.match(text)
    if not match:
        return None
    return float(match[1]) / (1024 if match[2] == "Mi" else 1)


def _service(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    cpu = _cpu(str(t["cpu"])) if "cpu" in t else None
    if "cpu" in t and (cpu is None or not (0.08 <= cpu < 1 or cpu in _RUN_MAX_MEMORY_GIB)):
        yield (
            where("cpu"),
            f"{t['cpu']!r} is not a Cloud Run CPU limit",
            f'use 1, 2, 4, 6 or 8, or a fraction from 0.08 to 1 such as "0.5" ({RUN_CPU})',
        )
        cpu = None
    memory = _gib(str(t["memory"])) if "memory" in t else None
    if "memory" in t and (memory is None or not 0.125 <= memory <= 32):
        yield (
            where("memory"),
            f"{t['memory']!r} is not a Cloud Run memory limit",
            f'use 128Mi to 32Gi, e.g. "512Mi" or "2Gi" ({RUN_MEMORY})',
        )
        memory = None
    if cpu is not None and memory is not None:
        whole = max(1, math.ceil(cpu))
        most = _RUN_MAX_MEMORY_GIB.get(whole, 4)
        least = _RUN_MIN_MEMORY_GIB.get(whole, 0)
        if memory > most:
            yield (
                where("memory"),
                f"{t['memory']} is more than {most}Gi, the most {t['cpu']} CPU allows",
                f"raise cpu or lower memory ({RUN_MEMORY})",
            )
        elif memory < least:
            yield (
                where("memory"),
                f"{t['memory']} is less than {least}Gi, the least {t['cpu']} CPU needs",
                f"raise memory or lower cpu ({RUN_MEMORY})",
            )
    yield from _between(where, t, "min_instances", 0, _RUN_MAX_INSTANCES, "use 0 (scale to zero) or more warm instances", RUN_MIN)
    yield from _between(where, t, "max_instances", 1, _RUN_MAX_INSTANCES, "use at least 1", RUN_MAX)
    if _number(t.get("min_instances")) and _number(t.get("max_instances")) and 1 <= t["max_instances"] < t["min_instances"]:
        yield (where("min_instances"), f"{t['min_instances']} is more than max_instances ({t['max_instances']})",
               f"set min_instances <= max_instances ({RUN_MIN})")
    yield from _between(where, t, "concurrency", 1, 1000, "use 1 to 1000 requests per instance", RUN_CONCURRENCY)
    if cpu is not None and cpu < 1 and _number(t.get("concurrency")) and t["concurrency"] != 1:
        yield (
            where("concurrency"),
            f"{t['concurrency']} with cpu {t['cpu']}: less than 1 CPU serves one request at a time",
            f'set concurrency = 1 or cpu = "1" ({RUN_CPU})',
        )
    yield from _between(where, t, "timeout_seconds", 1, 3600, "use 1 to 3600 seconds", RUN_TIMEOUT)
    for prefix in t.get("path_prefixes", ()):
        if not str(prefix).startswith("/"):
            yield where("path_prefixes"), f"{prefix!r} is not a URL path", "start each prefix with '/', e.g. \"/webhooks/\""


def _connector(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    yield from _one_of(where, t, "machine_type", _CONNECTOR_TYPES, CONNECTOR)
    yield from _between(where, t, "min_instances", 2, 9, "use 2 to 9 connector instances", CONNECTOR)
    yield from _between(where, t, "max_instances", 3, 10, "use 3 to 10 connector instances", CONNECTOR)
    if _number(t.get("min_instances")) and _number(t.get("max_instances")) and t["min_instances"] >= t["max_instances"]:
        yield (where("max_instances"), f"{t['max_instances']} is not more than min_instances ({t['min_instances']})",
               f"a connector's max_instances must be greater than its min_instances ({CONNECTOR})")


def _database(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    yield from _one_of(where, t, "edition", ("ENTERPRISE", "ENTERPRISE_PLUS"), SQL_EDITIONS)
    yield from _one_of(where, t, "availability_type", ("ZONAL", "REGIONAL"), SQL_SETTINGS)
    yield from _one_of(where, t, "disk_type", ("PD_SSD", "PD_HDD"), SQL_SETTINGS)
    yield from _between(where, t, "disk_size_gb", 10, 65536, "use 10 to 65536 GB", SQL_SETTINGS)
    yield from _between(where, t, "backup_retained_count", 1, 365, "keep 1 to 365 automated backups", SQL_BACKUPS)
    plus = t.get("edition") == "ENTERPRISE_PLUS"
    yield from _between(where, t, "transaction_log_retention_days", 1, 35 if plus else 7,
                        f"keep 1 to {35 if plus else 7} days of transaction logs in edition {t.get('edition')}", SQL_PITR)
    tier = str(t.get("tier", ""))
    if "tier" not in t:
        return
    custom = _CUSTOM_TIER.match(tier)
    if tier in _SHARED_CORE:
        if plus:
            yield (
                where("tier"),
                f"{tier} is a shared-core tier, which edition ENTERPRISE_PLUS does not offer",
                f"use a dedicated-core tier or edition ENTERPRISE ({SQL_EDITIONS})",
            )
    elif custom:
        cpus, mb = int(custom[1]), int(custom[2])
        if not (cpus == 1 or (cpus % 2 == 0 and 2 <= cpus <= 96)):
            yield (
                where("tier"),
                f"{tier}: {cpus} vCPUs is not a Cloud SQL machine size",
                f"use 1 or an even number from 2 to 96 vCPUs ({SQL_MACHINE})",
            )
        elif mb % 256 or mb < 3840 or not 0.9 * 1024 * cpus <= mb <= 6.5 * 1024 * cpus:
            yield (
                where("tier"),
                f"{tier}: {mb} MB of memory does not fit {cpus} vCPU(s)",
                "use a multiple of 256 MB, at least 3840, between 0.9 and 6.5 GB per vCPU, "
                f"e.g. db-custom-{cpus}-{max(3840, 3840 * cpus)} ({SQL_MACHINE})",
            )
    elif not _TIER.match(tier):
        yield where("tier"), f"{tier!r} is not a Cloud SQL tier", f"use e.g. db-f1-micro, db-g1-small or db-custom-2-7680 ({SQL_MACHINE})"


def _redis(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    yield from _one_of(where, t, "tier", ("BASIC", "STANDARD_HA"), REDIS_TIERS)
    yield from _between(where, t, "memory_size_gb", 1, 300, "use 1 to 300 GB", REDIS_CAPACITY)
    yield from _one_of(where, t, "version", _REDIS_VERSIONS, REDIS_VERSIONS)


def _edge(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    yield from _between(
        where, t, "rate_limit_per_minute", 1, 10_000_000, "use a positive number of requests per client per minute", ARMOR_RATE
    )


def _monitoring(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    yield from _between(where, t, "cpu_utilization_threshold", 0.01, 1, "give a fraction of one CPU, e.g. 0.7 for 70 %", ALERTS)
    yield from _between(where, t, "latency_p95_threshold_ms", 1, 3_600_000, "give milliseconds, e.g. 500", ALERTS)
    yield from _between(where, t, "error_5xx_ratio_threshold", 0.0001, 0.99, "give a fraction of requests, e.g. 0.01 for 1 %", ALERTS)
    path = t.get("uptime_check_path")
    if path is not None and not str(path).startswith("/"):
        yield where("uptime_check_path"), f"{path!r} is not a URL path", f"start it with '/', e.g. \"/healthz\" ({UPTIME})"


def budget_amount(value: Any) -> tuple[str, str] | None:
    """A monthly budget in whole US dollars (billing.budget_usd, budget.amount_usd)."""
    if _number(value) and value > 0 and float(value).is_integer() and value <= 1e12:
        return None
    return f"{value} is not a positive whole number of dollars", f"give the monthly budget in whole US dollars, e.g. 650 ({BUDGETS})"


def _budget(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    if "amount_usd" in t and (bad := budget_amount(t["amount_usd"])):
        yield where("amount_usd"), *bad
    for threshold in t.get("alert_thresholds", ()):
        if not _number(threshold) or not 0 < threshold <= 10:
            yield (
                where("alert_thresholds"),
                f"{threshold!r} is not a fraction of the budget",
                f"give fractions such as 0.5, 0.8, 1.0 ({BUDGETS})",
            )


def _secrets(where: Where, t: Mapping[str, Any]) -> Iterator[Problem]:
    names = [str(n) for n in t.get("names", ())]
    for name in names:
        if not _SECRET_NAME.match(name) or len(name) > 200:
            yield where("names"), f"{name!r} cannot name a secret", f"use letters, digits, '-' and '_' only ({SECRET_IDS})"
    if len(set(names)) != len(names):
        yield where("names"), "lists a name twice", "keep each secret name once"


_BY_TABLE: dict[str, Callable[[Where, Mapping[str, Any]], Iterator[Problem]]] = {
    "connector": _connector, "database": _database, "redis": _redis, "edge": _edge,
    "monitoring": _monitoring, "budget": _budget, "secrets": _secrets,
}


def table_problems(
    phase: str, tables: Mapping[str, Mapping[str, Any]], field: Callable[[str, str], str] | None = None
) -> list[Problem]:
    """Every value of the phase's effective tables outside Google's limits, named by `field(table, key)`
    (where the value was written), by default `phases.<phase>.<table>.<key>`."""
    problems: list[Problem] = []
    for name, table in tables.items():
        def where(key: str, name: str = name) -> str:
            return field(name, key) if field else f"phases.{phase}.{name}.{key}"

        # A Cloud Run service table is recognised by its keys, so a new service needs no entry here.
        check = _service if "concurrency" in table and "cpu" in table else _BY_TABLE.get(name)
        if check is not None:
            problems.extend(check(where, table))
    return problems
