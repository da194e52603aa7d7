"""The stand-in behaves like the provider through real Terraform: checks, defaults, replacements, delete guards."""

from __future__ import annotations

import json
import re
import subprocess

from tests.cli.conftest import cli_env, pvctl
from tests.offline.conftest import REPO_ROOT
from tests.offline.test_terraform import PROVIDER


def _change(plan: dict, address: str) -> dict:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)["change"]


def _errors(done) -> list[dict]:
    return [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]


def test_documented_examples_of_every_module_type_plan_cleanly(workdir):
    wd = workdir("provider_examples")
    found = subprocess.run(["grep", "-rhoE", r'resource "google_[a-z0-9_]+"', "modules", "environments"],
                           cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    used = set(re.findall(r'resource "(google_\w+)"', found))
    covered = set(re.findall(r'resource "(google_\w+)"', (wd.path / "main.tf").read_text()))
    assert used <= covered, sorted(used - covered)
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("validate")
    plan = wd.plan_json()
    actions = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert set(map(tuple, actions.values())) == {("create",)} and len(actions) >= len(used)


def test_validate_reports_the_providers_diagnostics_at_the_attribute(workdir):
    wd = workdir()
    wd.write("main.tf", PROVIDER + '''
resource "google_redis_instance" "r" {
  name           = "Cache_1"
  memory_size_gb = 1
  tier           = "PREMIUM"
}

resource "google_vpc_access_connector" "c" {
  name           = "connector-with-a-very-long-name"
  network        = "default"
  ip_cidr_range  = "10.8.0.0/28"
  min_instances  = 2
  min_throughput = 200
}
''')
    wd.tf("init", "-backend=false", "-input=false")
    errors = _errors(wd.tf("validate", "-json", ok=(1,)))
    by_summary = {d["summary"]: d for d in errors}
    lines = (wd.path / "main.tf").read_text().splitlines()

    def line_of(d):
        return lines[d["range"]["start"]["line"] - 1].strip()

    tier = by_summary['expected tier to be one of ["BASIC" "STANDARD_HA" ""], got PREMIUM']
    assert line_of(tier).startswith("tier") and "enum check of tier" in tier["detail"]
    assert "resource_redis_instance.go" in tier["detail"]
    name = next(d for s, d in by_summary.items() if "doesn't match regexp" in s)
    assert line_of(name).startswith("name") and '"Cache_1"' in name["summary"]
    conflict = by_summary['"min_instances": conflicts with min_throughput']
    assert line_of(conflict).startswith("min_instances")
    assert any("name must be at most 25 characters" in s for s in by_summary)


def test_a_right_configuration_validates(workdir):
    wd = workdir()
    wd.write("main.tf", PROVIDER + '''
resource "google_redis_instance" "r" {
  name           = "cache-1"
  memory_size_gb = 1
  tier           = var.tier
}

variable "tier" {
  type    = string
  default = "STANDARD_HA"
}

resource "google_vpc_access_connector" "c" {
  name          = "connector"
  network       = "default"
  ip_cidr_range = "10.8.0.0/28"
  min_instances = 2
  max_instances = 3
}
''')
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("validate")


def test_plans_show_the_providers_defaults(workdir):
    wd = workdir()
    wd.write("main.tf", PROVIDER + '''
resource "google_compute_backend_service" "b" {
  name = "b"
}
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_17"
  settings {
    tier = "db-f1-micro"
  }
}
resource "google_compute_global_address" "a" {
  name = "a"
}
resource "google_redis_instance" "r" {
  name           = "cache"
  memory_size_gb = 1
}
''')
    wd.tf("init", "-backend=false", "-input=false")
    plan = wd.plan_json()
    assert _change(plan, "google_compute_backend_service.b")["after"]["connection_draining_timeout_sec"] == 300
    assert _change(plan, "google_sql_database_instance.db")["after"]["settings"][0]["activation_policy"] == "ALWAYS"
    assert _change(plan, "google_sql_database_instance.db")["after"]["deletion_protection"] is True
    assert _change(plan, "google_compute_global_address.a")["after"]["address_type"] == "EXTERNAL"
    redis = _change(plan, "google_redis_instance.r")["after"]
    assert (redis["tier"], redis["connect_mode"], redis["deletion_policy"]) == ("BASIC", "DIRECT_PEERING", "DELETE")


def test_customize_diff_replacements_through_terraform(workdir):
    wd = workdir()
    config = PROVIDER + '''
variable "min" {
  type    = number
  default = 3
}
variable "direction" {
  type    = string
  default = "INGRESS"
}
resource "google_vpc_access_connector" "c" {
  name          = "c"
  network       = "default"
  ip_cidr_range = "10.8.0.0/28"
  min_instances = var.min
  max_instances = 5
}
resource "google_compute_firewall" "f" {
  name      = "f"
  network   = "default"
  direction = var.direction
  allow {
    protocol = "tcp"
  }
  source_ranges = ["10.0.0.0/8"]
}
'''
    wd.write("main.tf", config)
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("apply", "-input=false", "-auto-approve")
    grow = wd.plan_json("-var=min=4")
    assert _change(grow, "google_vpc_access_connector.c")["actions"] == ["update"]
    shrink = wd.plan_json("-var=min=2")
    connector = next(rc for rc in shrink["resource_changes"] if rc["address"] == "google_vpc_access_connector.c")
    assert connector["change"]["actions"] == ["delete", "create"]
    assert ["min_instances"] in connector["change"]["replace_paths"]
    egress = wd.plan_json("-var=direction=EGRESS")
    assert _change(egress, "google_compute_firewall.f")["actions"] == ["delete", "create"]


def test_sandbox_apply_refuses_to_delete_a_protected_resource(workdir):
    wd = workdir()
    redis = '''
variable "protect" {
  type    = bool
  default = true
}
resource "google_redis_instance" "r" {
  name                = "cache"
  memory_size_gb      = 1
  deletion_protection = var.protect
}
'''
    wd.write("main.tf", PROVIDER + redis)
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("apply", "-input=false", "-auto-approve")
    wd.write("main.tf", PROVIDER)
    refused = wd.tf("apply", "-input=false", "-auto-approve", ok=(1,))
    output = " ".join(refused.stdout.split() + refused.stderr.split())
    assert "cannot destroy redis instance without setting deletion_protection=false" in output
    state = json.loads((wd.path / "terraform.tfstate").read_text())
    assert [r["type"] for r in state["resources"]] == ["google_redis_instance"]  # nothing lost
    wd.write("main.tf", PROVIDER + redis)
    wd.tf("apply", "-input=false", "-auto-approve", "-var=protect=false")
    wd.write("main.tf", PROVIDER)
    wd.tf("apply", "-input=false", "-auto-approve")
    assert json.loads((wd.path / "terraform.tfstate").read_text())["resources"] == []


def test_pvctl_validate_says_once_which_provider_release_the_checks_follow(tmp_path):
    (tmp_path / "modules" / "cache").mkdir(parents=True)
    (tmp_path / "modules" / "cache" / "main.tf").write_text(
        PROVIDER + 'resource "google_redis_instance" "r" {\n  name = "cache"\n'
        '  memory_size_gb = 1\n  tier = "PREMIUM"\n}\n')
    (tmp_path / "environments" / "mvp").mkdir(parents=True)
    (tmp_path / "environments" / "mvp" / "main.tf").write_text(PROVIDER)
    env = cli_env(tmp_path / "user", COLUMNS="250")
    done = pvctl(["validate", "--repo", str(tmp_path)], tmp_path, env)
    assert done.returncode == 1
    text = " ".join(done.stderr.split())
    assert text.count("offline checks follow hashicorp/google 8.0.0") == 1 and "the schema is 8.7.0" in text
    assert 'expected tier to be one of ["BASIC" "STANDARD_HA" ""], got PREMIUM' in text
    as_json = pvctl(["validate", "--json", "--repo", str(tmp_path)], tmp_path, env)
    rules = json.loads(as_json.stdout)["rules"]
    assert rules["provider_version"] == "8.0.0" and rules["license"] == "MPL-2.0" and "8.7.0" in rules["note"]
