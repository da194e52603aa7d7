"""After `pvctl db failover`: what the next scale plan does, offline, on a sandbox state.

The failover promotes the cross-region replica in Google Cloud, not in the state. The test applies
scale in the sandbox, then writes into the state what a refresh reads from Google after the
promotion (the instance reports no master and `instance_type = CLOUD_SQL_INSTANCE`), and plans:

- with the configuration unchanged, the replica's `master_instance_name` would go back to the old
  primary, which forces a new instance (the provider's ForceNewIf on master_instance_name,
  google/services/sql/resource_sql_database_instance.go): pvctl's guard refuses the plan;
- with `[phases.scale.disaster_recovery] promoted = true` nothing is replaced or destroyed: the
  instance is updated in place (backups on, the phase's availability) and the services' DB_HOST
  moves to its address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.offline.test_inventories import PVCTL_TOML
from tests.offline.test_variants import actions, change, make_repo

PROJECT = "pv-inventory-test"
DR = 'module.database.google_sql_database_instance.replica["dr"]'
PRIMARY = "module.database.google_sql_database_instance.primary"
API = "module.api.module.service.google_cloud_run_v2_service.managed[0]"
WEBHOOKS = "module.webhooks[0].module.service.google_cloud_run_v2_service.managed[0]"


@dataclass
class AfterFailover:
    dr_ip: str
    unchanged: tuple[int, str]   # exit code and stderr of the plan with the configuration unchanged
    promoted: dict               # plan JSON with promoted = true


def _promote_in_state(path) -> str:
    """Write what Google reports for the promoted replica into the sandbox state; its private IP."""
    state = json.loads(path.read_text())
    ip = ""
    for resource in state["resources"]:
        where = (resource.get("module"), resource["type"], resource["name"])
        if where != ("module.database", "google_sql_database_instance", "replica"):
            continue
        for instance in resource["instances"]:
            if instance.get("index_key") == "dr":
                attrs = instance["attributes"]
                attrs["master_instance_name"] = ""
                attrs["instance_type"] = "CLOUD_SQL_INSTANCE"
                attrs["replica_configuration"] = []
                ip = attrs["private_ip_address"]
    assert ip, "no disaster-recovery instance in the sandbox state"
    state["serial"] += 1
    path.write_text(json.dumps(state))
    return ip


@pytest.fixture(scope="module")
def after_failover(tmp_path_factory) -> AfterFailover:
    repo = make_repo(tmp_path_factory.mktemp("failover"), PVCTL_TOML)
    repo.plan("scale", "scale")
    repo.apply("scale", "scale")
    ip = _promote_in_state(repo.path / ".pvctl" / "sandbox" / PROJECT / "terraform.tfstate")
    done = repo.run("plan", "--phase", "scale", "--offline", "--json")
    repo.write_toml(PVCTL_TOML + "\n[phases.scale.disaster_recovery]\npromoted = true\n")
    promoted = repo.plan("promoted", "scale")[1]
    return AfterFailover(ip, (done.returncode, done.stdout + done.stderr), promoted)


def test_the_unchanged_configuration_would_replace_the_promoted_instance(after_failover: AfterFailover) -> None:
    code, output = after_failover.unchanged
    assert code == 3, output[-3000:]
    assert DR in output or "pv-pg-dr" in output, output[-3000:]


def test_promoted_true_keeps_the_instance_and_moves_db_host(after_failover: AfterFailover) -> None:
    plan = after_failover.promoted
    acts = actions(plan)
    assert not [a for a, act in acts.items() if "delete" in act], acts
    assert acts[DR] == ["update"], acts[DR]
    assert acts[PRIMARY] == ["no-op"], acts[PRIMARY]
    dr = change(plan, DR)["after"]
    assert dr["master_instance_name"] in ("", None) and dr["instance_type"] == "CLOUD_SQL_INSTANCE"
    assert dr["settings"][0]["backup_configuration"][0]["enabled"] is True          # a primary takes backups
    assert dr["settings"][0]["availability_type"] == "REGIONAL"                    # the phase's availability
    assert dr["deletion_protection"] is True and dr["settings"][0]["deletion_protection_enabled"] is True
    for service in (API, WEBHOOKS):
        env = {e["name"]: e.get("value") for e in change(plan, service)["after"]["template"][0]["containers"][0]["env"]}
        assert env["DB_HOST"] == after_failover.dr_ip, service
