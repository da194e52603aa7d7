"""Per-phase inventories: what `pvctl plan --phase P --offline` must plan from an empty state.

In the manner of the `tests/` inventories of Google's Terraform module library: each
`inventories/<phase>.yaml` lists every resource address the plan holds and, for the resources
that matter, the values each phase is meant to have, compared with `planned_values` of the plan JSON
(`terraform show -json`). The plans come from the real CLI on a copy of this repository, so
phases.toml, the renderer, the environments and the modules are what is checked.

Rules (also in each YAML's header): maps are compared on the listed keys only; lists must have
exactly the listed elements (lists of blocks in any order); "(known after apply)" means the
configuration sets the value from another resource, so it must be unknown in the plan; "(absent)"
means the configuration must not set the argument (see `_check_absent`); any other listed value
that is null or missing from the plan fails.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import with_standin_cache

REPO = Path(__file__).resolve().parents[2]
INVENTORIES = Path(__file__).resolve().parent / "inventories"
PHASES = ("mvp", "growth", "scale")
UNKNOWN = "(known after apply)"
ABSENT = "(absent)"

# The inputs the inventories were written for; phase sizes come from phases.toml.
PVCTL_TOML = """\
[project]
id = "pv-inventory-test"
region = "southamerica-east1"
domain = "app.example.com.br"
name_prefix = "pv"
alert_email = "ops@example.com.br"
deletion_protection = true
labels = { team = "platform" }

[images]
api = "southamerica-east1-docker.pkg.dev/pv-inventory-test/app/api:1.0.0"
bff = "southamerica-east1-docker.pkg.dev/pv-inventory-test/app/bff:1.0.0"
managed_by_ci = false

[billing]
account = "012345-6789AB-CDEF01"
"""
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "pvctl_override.tf", "terraform.tfstate.d", "*.tfstate*")


def copy_repo(dest: Path) -> Path:
    """What pvctl needs of this repository (no .pvctl/, state or Terraform working files)."""
    for folder in ("modules", "environments", "templates"):
        shutil.copytree(REPO / folder, dest / folder, ignore=_SKIP)
    shutil.copy(REPO / ".terraform-version", dest / ".terraform-version")
    (dest / "pvctl.toml").write_text(PVCTL_TOML)
    return with_standin_cache(dest)


def load_inventory(phase: str) -> dict[str, Any]:
    doc = yaml.safe_load((INVENTORIES / f"{phase}.yaml").read_text())
    assert set(doc) == {"values"}, f"{phase}.yaml: unknown top-level keys {sorted(set(doc) - {'values'})}"
    return {address: (expected or {}) for address, expected in doc["values"].items()}


def planned_resources(plan: dict) -> dict[str, dict]:
    """address → planned resource (values), over the root and all child modules."""
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def after_unknown(plan: dict) -> dict[str, Any]:
    return {rc["address"]: rc["change"].get("after_unknown") or {} for rc in plan["resource_changes"]}


_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')


def configured_expressions(plan: dict) -> dict[str, dict]:
    """Resource block address (no instance keys) → its `expressions` in the plan's configuration.

    Only arguments the configuration writes appear there (static nested blocks as lists of
    expression maps; dynamic blocks and lifecycle are not represented at all)."""
    found: dict[str, dict] = {}

    def walk(module: dict, prefix: str) -> None:
        for resource in module.get("resources", []):
            found[prefix + resource["address"]] = resource.get("expressions") or {}
        for name, call in (module.get("module_calls") or {}).items():
            walk(call.get("module") or {}, f"{prefix}module.{name}.")

    walk((plan.get("configuration") or {}).get("root_module") or {}, "")
    return found


def block_address(address: str) -> str:
    """module.a["x"].google_y.z[0] → module.a.google_y.z (the configuration's address)."""
    return _INSTANCE_KEY.sub("", address)


# --- comparison --------------------------------------------------------------------------------

def compare(expected: Any, actual: Any, unknown: Any, path: str, config: Any = None) -> list[str]:
    """Differences between an inventory value and a planned value (with its after_unknown mirror
    and, where the configuration has a static block there, its expressions mirror `config`)."""
    if expected == ABSENT:
        return [f"{path}: {ABSENT} only applies to an argument of an object (write it under its name)"]
    if expected == UNKNOWN:
        if unknown is True:
            return []
        return [f"{path}: expected a value set from another resource (unknown until apply), the plan has {actual!r}"]
    if unknown is True:
        return [f"{path}: unknown in the plan (known only after apply), the inventory expects {expected!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, the plan has {actual!r}"]
        errors = []
        for key, value in expected.items():
            sub_unknown = unknown.get(key) if isinstance(unknown, dict) else None
            if value == ABSENT:
                errors += _check_absent(actual, sub_unknown, config, key, f"{path}.{key}")
                continue
            if key not in actual and sub_unknown is not True:
                errors.append(f"{path}.{key}: missing from the planned values (the inventory expects {value!r})")
                continue
            sub_config = config.get(key) if isinstance(config, dict) else None
            errors += compare(value, actual.get(key), sub_unknown, f"{path}.{key}", sub_config)
        return errors
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, the plan has {actual!r}"]
        if len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} element(s), the plan has {len(actual)}: {actual!r}"]
        unknowns = unknown if isinstance(unknown, list) and len(unknown) == len(actual) else [None] * len(actual)
        # A static nested block written once in the configuration mirrors a one-element list;
        # anything else (dynamic blocks, several blocks in a set) cannot be paired with it.
        single = config if isinstance(config, list) and len(config) == 1 and len(actual) == 1 else None
        configs = [single[0] if single else None] * len(actual)
        if len(expected) > 1 and all(isinstance(e, dict) for e in expected):
            return _compare_blocks(expected, actual, unknowns, path)
        rows = enumerate(zip(expected, actual, unknowns, configs, strict=False))
        return [e for i, (x, a, u, c) in rows for e in compare(x, a, u, f"{path}[{i}]", c)]
    if actual is None and expected is not None:
        return [f"{path}: null in the plan, the inventory expects {expected!r}"]
    if isinstance(expected, bool) != isinstance(actual, bool) or actual != expected:
        return [f"{path}: the plan has {actual!r}, the inventory expects {expected!r}"]
    return []


def _check_absent(actual: dict, unknown: Any, config: Any, key: str, path: str) -> list[str]:
    """The configuration leaves `key` unset.

    Set in the plan: missing, null, [] or {}. Terraform also shows an unset Optional+Computed
    argument (backend `timeout_sec`) as unknown, the provider choosing it at apply; so unknown
    passes only where the configuration's expressions for this object are at hand and do not
    name the argument (a value computed from another resource would be unknown too)."""
    if unknown is True:
        if not isinstance(config, dict):
            return [f"{path}: unknown in the plan, and the configuration of this block cannot be read to tell it is unset"]
        if key in config:
            return [f"{path}: the configuration sets it ({_short(config[key])}), the inventory expects it absent"]
        return []
    value = actual.get(key)
    if value in (None, [], {}):
        return []
    return [f"{path}: the plan has {_short(value)}, the inventory expects it absent"]


def _compare_blocks(expected: list[dict], actual: list, unknowns: list, path: str) -> list[str]:
    """Nested blocks match in any order: find a one-to-one pairing where every element matches."""
    fits = [[not compare(e, a, u, path) for a, u in zip(actual, unknowns, strict=False)] for e in expected]

    def assign(i: int, used: frozenset) -> bool:
        return i == len(expected) or any(fits[i][j] and j not in used and assign(i + 1, used | {j}) for j in range(len(actual)))

    if assign(0, frozenset()):
        return []
    errors = []
    for i, e in enumerate(expected):
        if not any(fits[i]):
            closest = min(range(len(actual)), key=lambda j: len(compare(e, actual[j], unknowns[j], path)))
            near = compare(e, actual[closest], unknowns[closest], f"{path}[{closest}]")
            errors.append(f"{path}: no element matches {_short(e)}; closest: " + "; ".join(near))
    return errors or [f"{path}: the elements {_short(expected)} cannot be paired one-to-one with {_short(actual)}"]


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_values(plan: dict, expected: dict[str, Any]) -> list[str]:
    """Compare the listed resources only (each must be in the plan); other addresses are ignored."""
    resources = planned_resources(plan)
    unknown = after_unknown(plan)
    config = configured_expressions(plan)
    errors = [f"{a}: in the inventory, not in the plan" for a in sorted(set(expected) - set(resources))]
    for address in sorted(set(expected) & set(resources)):
        errors += compare(
            expected[address], resources[address].get("values", {}), unknown.get(address, {}), address, config.get(block_address(address))
        )
    return errors


def check_inventory(plan: dict, inventory: dict[str, Any]) -> list[str]:
    """Every planned address is listed, every listed address is planned, and the values match."""
    resources = planned_resources(plan)
    errors = [f"{a}: in the plan, not in the inventory (add it)" for a in sorted(set(resources) - set(inventory))]
    return check_values(plan, inventory) + errors


# --- the plans ---------------------------------------------------------------------------------


# The plans: tests/conftest.py's `default_plan` (one `pvctl plan --phase P --offline --json` per phase
# and test run, on a copy of this repository with PVCTL_TOML, from an empty sandbox state).


@pytest.mark.parametrize("phase", PHASES)
def test_plan_matches_inventory(default_plan: Callable[[str], dict], phase: str) -> None:
    errors = check_inventory(default_plan(phase), load_inventory(phase))
    assert not errors, f"{phase}: the plan differs from inventories/{phase}.yaml:\n  " + "\n  ".join(errors)


@pytest.mark.parametrize("phase", PHASES)
def test_plan_from_empty_state_only_creates(default_plan: Callable[[str], dict], phase: str) -> None:
    actions = {rc["address"]: rc["change"]["actions"] for rc in default_plan(phase)["resource_changes"] if rc["mode"] == "managed"}
    assert actions and all(a == ["create"] for a in actions.values()), {k: v for k, v in actions.items() if v != ["create"]}


@pytest.mark.parametrize("phase", PHASES)
def test_nothing_is_granted_to_everyone(default_plan: Callable[[str], dict], phase: str) -> None:
    """Public services are reached through the load balancer, never through an allUsers binding."""
    for address, resource in planned_resources(default_plan(phase)).items():
        values = resource.get("values") or {}
        members = [values.get("member"), *(values.get("members") or [])]
        assert not {"allUsers", "allAuthenticatedUsers"} & set(members), address


# --- the dashboards: generated JSON, checked as data ------------------------------------------

SERVICE_CHARTS = [
    "Requests per second by service",
    "Latency p50 by service",
    "Latency p95 by service",
    "5xx responses per second by service",
    "Instances by service",
    "CPU utilization p95 by service",
    "Memory utilization p95 by service",
]
SQL_CHARTS = ["Cloud SQL CPU utilization", "Cloud SQL connections", "Cloud SQL disk utilization"]
REDIS_CHARTS = ["Redis memory usage ratio", "Redis cache hit ratio"]
EDGE_CHARTS = ["Load balancer requests per second by response class", "Cloud Armor blocked requests per second"]
DASHBOARDS = {
    "mvp": (["pv-api"], SERVICE_CHARTS + SQL_CHARTS + EDGE_CHARTS),
    "growth": (["pv-api"], SERVICE_CHARTS + SQL_CHARTS + REDIS_CHARTS + EDGE_CHARTS),
    "scale": (["pv-api", "pv-bff", "pv-webhooks"], SERVICE_CHARTS + SQL_CHARTS + REDIS_CHARTS + EDGE_CHARTS),
}


@pytest.mark.parametrize("phase", PHASES)
def test_each_phase_plans_its_dashboard(default_plan: Callable[[str], dict], phase: str) -> None:
    services, titles = DASHBOARDS[phase]
    dashboard = planned_resources(default_plan(phase))["module.dashboard.google_monitoring_dashboard.this"]
    doc = json.loads(dashboard["values"]["dashboard_json"])
    assert doc["displayName"] == f"pv: {phase}"
    widgets = doc["gridLayout"]["widgets"]
    assert [w["title"] for w in widgets] == titles
    queries = {w["title"]: w["xyChart"]["dataSets"][0]["timeSeriesQuery"]["timeSeriesFilter"] for w in widgets}
    one_of = "one_of(" + ", ".join(f'"{s}"' for s in services) + ")"
    for title in SERVICE_CHARTS:
        assert one_of in queries[title]["filter"], title
        assert queries[title]["aggregation"]["groupByFields"] == ['resource.label."service_name"'], title
    for title in SQL_CHARTS:
        assert 'resource.label."database_id"="pv-inventory-test:pv-pg"' in queries[title]["filter"], title
    for title in REDIS_CHARTS if phase != "mvp" else []:
        assert '"projects/pv-inventory-test/locations/southamerica-east1/instances/pv-redis"' in queries[title]["filter"]
    assert 'resource.label."policy_name"="pv-armor"' in queries[EDGE_CHARTS[1]]["filter"]
    assert 'metric.label."blocked"="true"' in queries[EDGE_CHARTS[1]]["filter"]
    assert 'resource.label."url_map_name"="pv-urlmap"' in queries[EDGE_CHARTS[0]]["filter"]
    assert {q["aggregation"]["alignmentPeriod"] for q in queries.values()} == {"60s"}


# --- the comparison itself must be able to fail -------------------------------------------------

PLAN = {
    "planned_values": {
        "root_module": {
            "resources": [],
            "child_modules": [
                {
                    "resources": [
                        {
                            "address": "module.m.google_x.this",
                            "values": {
                                "ingress": "INTERNAL",
                                "flag": True,
                                "empty": None,
                                "blocks": [{"name": "a", "value": "1"}, {"name": "b"}],
                                "tags": ["x", "y"],
                            },
                        }
                    ]
                }
            ],
        }
    },
    "resource_changes": [
        {
            "address": "module.m.google_x.this",
            "mode": "managed",
            "change": {
                "actions": ["create"],
                "after_unknown": {"id": True, "blocks": [{}, {"value": True}], "tags": [False, False]},
            },
        }
    ],
}


@pytest.mark.parametrize(
    "inventory, complaint",
    [
        ({"module.m.google_x.this": {"ingress": "INTERNAL", "blocks": [{"name": "b", "value": UNKNOWN}, {"name": "a"}]}}, None),
        ({"module.m.google_x.this": {"ingress": "ALL"}}, "the plan has 'INTERNAL'"),
        ({"module.m.google_x.this": {"empty": "set"}}, "null in the plan"),
        ({"module.m.google_x.this": {"missing": "set"}}, "missing from the planned values"),
        ({"module.m.google_x.this": {"id": "projects/p/x"}}, "unknown in the plan"),
        ({"module.m.google_x.this": {"ingress": UNKNOWN}}, "unknown until apply"),
        ({"module.m.google_x.this": {"flag": 1}}, "the plan has True"),
        ({"module.m.google_x.this": {"tags": ["x"]}}, "expected 1 element"),
        ({"module.m.google_x.this": {"blocks": [{"name": "a"}, {"name": "a"}]}}, "cannot be paired"),
        ({"module.m.google_x.this": {"blocks": [{"name": "a"}, {"name": "c"}]}}, "no element matches"),
        ({}, "in the plan, not in the inventory"),
        ({"module.m.google_x.this": {}, "module.m.google_y.that": {}}, "in the inventory, not in the plan"),
    ],
)
def test_comparison_reports_each_kind_of_difference(inventory: dict, complaint: str | None) -> None:
    errors = check_inventory(PLAN, inventory)
    if complaint is None:
        assert errors == []
    else:
        assert any(complaint in e for e in errors), errors


# "(absent)": the configuration leaves the argument unset.
ABSENT_ADDRESS = 'module.m.google_b.this["k"]'
PLAN_ABSENT = {
    "planned_values": {
        "root_module": {
            "child_modules": [
                {
                    "address": "module.m",
                    "resources": [
                        {
                            "address": ABSENT_ADDRESS,
                            "values": {
                                "health_checks": None,
                                "tags": [],
                                "labels": {},
                                "port": 80,
                                "nested": [{"inner": None}],
                                "dyn": [{"a": 1}, {"a": 2}],
                            },
                        }
                    ],
                }
            ]
        }
    },
    "resource_changes": [
        {
            "address": ABSENT_ADDRESS,
            "mode": "managed",
            "change": {
                "actions": ["create"],
                "after_unknown": {"timeout_sec": True, "computed_ref": True, "nested": [{"late": True}], "dyn": [{"b": True}, {}]},
            },
        }
    ],
    "configuration": {
        "root_module": {
            "module_calls": {
                "m": {
                    "module": {
                        "resources": [
                            {
                                "address": "google_b.this",
                                "expressions": {"computed_ref": {"references": ["google_z.other.id", "google_z.other"]}, "nested": [{}]},
                            }
                        ]
                    }
                }
            }
        }
    },
}


@pytest.mark.parametrize(
    "expected, complaint",
    [
        # null, [], {}, not in the plan at all, or unknown while the configuration does not set it
        ({"health_checks": ABSENT, "tags": ABSENT, "labels": ABSENT, "never": ABSENT, "timeout_sec": ABSENT}, None),
        ({"nested": [{"late": ABSENT, "inner": ABSENT}]}, None),  # a static nested block's own expressions
        ({"port": ABSENT}, "the plan has 80, the inventory expects it absent"),
        ({"computed_ref": ABSENT}, "the configuration sets it"),
        # several blocks (dynamic or a set) cannot be paired with the configuration: refuse to guess
        ({"dyn": [{"a": 1, "b": ABSENT}, {"a": 2}]}, "cannot be read"),
        ({"dyn": [{"a": 1}, ABSENT]}, "only applies to an argument"),
        # the normal rule is unchanged: a listed value missing from the plan fails
        ({"never": "x"}, "missing from the planned values"),
    ],
)
def test_absent_marker(expected: dict, complaint: str | None) -> None:
    errors = check_values(PLAN_ABSENT, {ABSENT_ADDRESS: expected})
    if complaint is None:
        assert errors == []
    else:
        assert any(complaint in e for e in errors), errors


def test_absent_marker_needs_the_configuration_for_an_unknown_value() -> None:
    without_configuration = {k: v for k, v in PLAN_ABSENT.items() if k != "configuration"}
    errors = check_values(without_configuration, {ABSENT_ADDRESS: {"timeout_sec": ABSENT}})
    assert any("cannot be read" in e for e in errors), errors
