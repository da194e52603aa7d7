"""Offline plans of every phase: resources shared by phases keep their addresses.

Each phase is planned from an empty state with the stand-in provider; the test compares
the planned resource addresses. Promotion must never move a resource to a new address,
so every address of a phase must exist in the next one, except the few resources the
next phase deliberately drops.
"""

from __future__ import annotations

import json
import shutil

import pytest

from pvctl.engine.terraform import TerraformRunner, find_terraform
from tests.terraform.hcl_facts import ENVIRONMENTS, MODULES, NOT_VARIABLES, REPO, phases

wiring = pytest.importorskip("pvctl.offline.wiring", reason="the offline stand-in provider is not built yet")

PHASES = phases()
ORDER = sorted(PHASES, key=lambda p: PHASES[p]["order"])

# What scale drops on purpose: the API stops being a load-balancer backend (it turns
# private), replaced by the bff and webhooks backends.
DROPPED_ON_PROMOTION = {
    ("growth", "scale"): {
        'module.edge.google_compute_backend_service.this["api"]',
        'module.edge.google_compute_region_network_endpoint_group.this["api"]',
    },
}
STATEFUL = {
    "module.database.google_sql_database_instance.primary",
    "module.database.google_sql_database.app",
    "module.database.google_sql_user.admin",
    'module.database.google_sql_user.iam["api"]',
    'module.secrets.google_secret_manager_secret.this["whatsapp-token"]',
    "module.network.google_service_networking_connection.psa",
    "module.edge.google_compute_global_address.this",
}
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "pvctl_override.tf")


def _tfvars(phase: str) -> dict:
    values = {
        "project_id": "pv-plan-test",
        "region": "southamerica-east1",
        "domain": "app.example.com.br",
        "name_prefix": "pv",
        "labels": {"team": "platform"},
        "api_image": "southamerica-east1-docker.pkg.dev/pv-plan-test/app/api:1.0.0",
        "deletion_protection": True,
        "images_managed_by_ci": False,
        "db_admin_password_version": 1,
    }
    tables = {t: v for t, v in PHASES[phase].items() if t not in NOT_VARIABLES}
    if "bff" in tables:
        values["bff_image"] = "southamerica-east1-docker.pkg.dev/pv-plan-test/app/bff:1.0.0"
    if "monitoring" in tables:
        values["alert_email"] = "ops@example.com.br"
    if "budget" in tables:
        values["billing_account"] = "012345-6789AB-CDEF01"
    return values | tables


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Phase → {address: resource type} of a plan from an empty state."""
    root = tmp_path_factory.mktemp("plans")
    shutil.copytree(MODULES, root / "modules", ignore=_SKIP)
    shutil.copytree(ENVIRONMENTS, root / "environments", ignore=_SKIP)
    runner = TerraformRunner(
        find_terraform(),
        cli_config_file=wiring.offline_cli_config(REPO),
        extra_env={"TF_VAR_db_admin_password": "offline-placeholder-password"},
    )
    result = {}
    for phase in ORDER:
        cwd = root / "environments" / phase
        (cwd / "backend_override.tf").write_text(
            f'terraform {{\n  backend "local" {{\n    path = "{root / (phase + ".tfstate")}"\n  }}\n}}\n'
        )
        (root / f"{phase}.tfvars.json").write_text(json.dumps(_tfvars(phase)))
        steps = [
            ["init", "-input=false", "-no-color"],
            ["plan", "-input=false", "-no-color", f"-var-file={root / (phase + '.tfvars.json')}", f"-out={root / (phase + '.tfplan')}"],
            ["show", "-json", str(root / f"{phase}.tfplan")],
        ]
        for args in steps:
            done = runner.run(args, cwd=cwd)
            assert done.returncode == 0, f"{phase}: terraform {args[0]} failed\n{done.stdout}{done.stderr}"
        plan = json.loads(done.stdout)
        managed = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed"]
        assert all(rc["change"]["actions"] == ["create"] for rc in managed), f"{phase}: non-create actions from an empty state"
        result[phase] = {rc["address"]: rc["type"] for rc in managed}
    return result


def test_every_phase_plans_its_core_resources(planned):
    for phase, addresses in planned.items():
        types = set(addresses.values())
        assert {"google_cloud_run_v2_service", "google_sql_database_instance", "google_compute_security_policy"} <= types, phase


@pytest.mark.parametrize("pair", list(zip(ORDER, ORDER[1:])), ids=lambda p: f"{p[0]}->{p[1]}")
def test_promotion_keeps_every_address(planned, pair):
    earlier, later = pair
    lost = set(planned[earlier]) - set(planned[later]) - DROPPED_ON_PROMOTION.get(pair, set())
    assert not lost, f"{earlier} → {later} would destroy or move: {sorted(lost)}"
    for address in set(planned[earlier]) & set(planned[later]):
        assert planned[earlier][address] == planned[later][address], address


def test_stateful_resources_have_one_address_in_all_phases(planned):
    for phase, addresses in planned.items():
        missing = STATEFUL - set(addresses)
        assert not missing, f"{phase} lacks {sorted(missing)}"


def test_redis_keeps_its_address_from_growth_on(planned):
    for phase in ("growth", "scale"):
        assert "module.redis.google_redis_instance.this" in planned[phase]
    assert not any(a.startswith("module.redis.") for a in planned["mvp"])
