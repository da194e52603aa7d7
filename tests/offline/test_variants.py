"""Configuration variants no phase uses by default, each planned offline for real.

Like test_inventories, the plans come from the real CLI (`pvctl plan --offline --json`) on a copy
of this repository, with a pvctl.toml that switches the variant on:

- `[phases.scale.database] read_replica = true`: a Cloud SQL read replica;
- `[images] managed_by_ci = true`: the Cloud Run services at their `ci_deployed[0]` address, and
  Terraform leaving the image to CI;
- a `[project] domain` change after a sandbox apply: the managed certificate is replaced
  create-before-destroy, nothing else is;
- Direct VPC egress (`vpc_egress_mode = "direct"` of modules/cloud_run_service): pvctl.toml
  cannot select it (no phase table has the key, and unknown keys are refused), so a small root
  module in a temporary folder calls modules/cloud_run_api and modules/cloud_run_bff with it.

Why the image is checked by behaviour: Terraform's JSON configuration representation (the plan's
`configuration` section, also what `terraform show -json` prints) has no `lifecycle` at all, so
`ignore_changes` cannot be read there. The test applies the ci variant in the sandbox, changes
`[images] api` and plans again: Terraform itself must then plan nothing for the service.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.offline.conftest import make_workdir
from tests.offline.test_inventories import (
    PVCTL_TOML, REPO, UNKNOWN, _SKIP, check_values, configured_expressions, copy_repo, load_inventory, planned_resources,
)

PROJECT = "pv-inventory-test"
DOMAIN = "app.example.com.br"
NEW_DOMAIN = "shop.example.com.br"
API_IMAGE = f"southamerica-east1-docker.pkg.dev/{PROJECT}/app/api:1.0.0"
CI_IMAGE = f"southamerica-east1-docker.pkg.dev/{PROJECT}/app/api:2.0.0"

PRIMARY = "module.database.google_sql_database_instance.primary"
REPLICA = "module.database.google_sql_database_instance.replica[0]"
CERT = "module.edge.google_compute_managed_ssl_certificate.this"
HTTPS_PROXY = "module.edge.google_compute_target_https_proxy.this"
LB_ADDRESS = "module.edge.google_compute_global_address.this"
SERVICES = {"mvp": ("api",), "scale": ("api", "bff", "webhooks")}


def service_address(module: str, variant: str) -> str:
    return f"module.{module}.module.service.google_cloud_run_v2_service.{variant}[0]"


def actions(plan: dict) -> dict[str, list[str]]:
    return {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"] if rc["mode"] == "managed"}


def change(plan: dict, address: str) -> dict:
    return next(rc["change"] for rc in plan["resource_changes"] if rc["address"] == address)


@dataclass
class Repo:
    """A copy of this repository with its own pvctl.toml, sandbox state and environment."""

    path: Path
    env: dict[str, str]
    tmp: Path

    def write_toml(self, text: str) -> None:
        (self.path / "pvctl.toml").write_text(text)

    def run(self, *args: str):
        return pvctl(list(args), self.path, self.env, timeout=600)

    def plan(self, name: str, phase: str, *flags: str, ok=(0,)) -> tuple[dict, dict, int]:
        """(the --json summary, the saved plan JSON, the exit code) of `pvctl plan --phase P --offline`."""
        plan_file = self.tmp / f"{name}.tfplan"
        done = self.run("plan", "--phase", phase, "--offline", "--json", "--out", str(plan_file), *flags)
        assert done.returncode in ok, f"{name}: pvctl plan --phase {phase} exited {done.returncode}\n{done.stderr[-4000:]}"
        return json.loads(done.stdout), json.loads(plan_file.with_suffix(".json").read_text()), done.returncode

    def apply(self, name: str, phase: str) -> None:
        done = self.run("apply", "--phase", phase, "--offline", "--plan", str(self.tmp / f"{name}.tfplan"))
        assert done.returncode == 0, f"pvctl apply --phase {phase} exited {done.returncode}\n{done.stderr[-4000:]}"


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def make_repo(tmp: Path, toml: str) -> Repo:
    repo = copy_repo(tmp / "repo")
    (repo / "pvctl.toml").write_text(toml)
    return Repo(repo, cli_env(tmp), tmp)


# --- a. scale with the Cloud SQL read replica ----------------------------------------------------

@pytest.fixture(scope="module")
def replica_plan(tmp_path_factory) -> dict:
    repo = make_repo(tmp_path_factory.mktemp("replica"), PVCTL_TOML + "\n[phases.scale.database]\nread_replica = true\n")
    return repo.plan("scale_replica", "scale")[1]


REPLICA_VALUES = {
    "name": "pv-pg-replica",
    "region": "southamerica-east1",
    "master_instance_name": "pv-pg",
    "deletion_protection": True,                  # Terraform refuses to destroy it
    "root_password": None,
    "settings": [{
        "edition": "ENTERPRISE",
        "tier": "db-custom-1-3840",
        "availability_type": "ZONAL",
        "deletion_protection_enabled": True,      # and so does the Cloud SQL API, for this instance too
        "ip_configuration": [{
            "ipv4_enabled": False,                # private IP only, like the primary
            "private_network": UNKNOWN,
            "allocated_ip_range": "pv-psa",
            "ssl_mode": "ENCRYPTED_ONLY",
            "authorized_networks": [],
        }],
    }],
}


def test_the_replica_is_planned_with_private_ip_only_and_its_own_deletion_protection(replica_plan: dict) -> None:
    errors = check_values(replica_plan, {REPLICA: REPLICA_VALUES})
    assert not errors, "\n".join(errors)
    assert actions(replica_plan)[REPLICA] == ["create"]


def test_the_replica_follows_the_primary(replica_plan: dict) -> None:
    resources = planned_resources(replica_plan)
    primary, replica = resources[PRIMARY]["values"], resources[REPLICA]["values"]
    assert replica["master_instance_name"] == primary["name"]
    assert replica["database_version"] == primary["database_version"] and replica["database_version"].startswith("POSTGRES_")
    for key in ("edition", "tier", "disk_type", "disk_size", "database_flags"):
        assert replica["settings"][0][key] == primary["settings"][0][key], key
    # The reference is to this configuration's primary instance, not a name typed twice.
    config = configured_expressions(replica_plan)
    master = config["module.database.google_sql_database_instance.replica"]["master_instance_name"]
    assert "google_sql_database_instance.primary.name" in master.get("references", []), master

    def network(block: str) -> list[str]:
        return config[f"module.database.google_sql_database_instance.{block}"]["settings"][0]["ip_configuration"][0]["private_network"]["references"]

    assert network("replica") == network("primary")   # the same VPC, through the same input


def test_the_replica_changes_nothing_else(replica_plan: dict) -> None:
    """The rest of the plan is the scale inventory, value for value."""
    inventory = load_inventory("scale")
    planned = set(planned_resources(replica_plan))
    assert planned - set(inventory) == {REPLICA}, sorted(planned ^ set(inventory))
    errors = check_values(replica_plan, inventory)
    assert not errors, "\n".join(errors)


# --- b. images managed by CI, and c. a domain change, on one sandbox -----------------------------

CI_TOML = replaced(PVCTL_TOML, "managed_by_ci = false", "managed_by_ci = true")


@dataclass
class Story:
    scale: dict                        # plan JSON of scale from an empty state
    mvp: dict                          # plan JSON of mvp from an empty state, then applied
    new_image: tuple[dict, dict, int]  # summary, plan JSON, exit code (--detailed-exitcode) after [images] api changed
    new_domain: tuple[dict, dict, int]  # summary, plan JSON, exit code after [project] domain changed


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    """One repo copy with managed_by_ci = true: scale and mvp planned from an empty state, mvp
    applied in the sandbox, then a new API image planned, then (image back) a new domain planned."""
    repo = make_repo(tmp_path_factory.mktemp("ci_story"), CI_TOML)
    scale = repo.plan("scale_ci", "scale")[1]
    mvp = repo.plan("mvp_ci", "mvp")[1]
    repo.apply("mvp_ci", "mvp")
    repo.write_toml(replaced(CI_TOML, f'api = "{API_IMAGE}"', f'api = "{CI_IMAGE}"'))
    new_image = repo.plan("mvp_new_image", "mvp", "--detailed-exitcode", ok=(0, 2))
    repo.write_toml(replaced(CI_TOML, f'domain = "{DOMAIN}"', f'domain = "{NEW_DOMAIN}"'))   # image back to 1.0.0
    new_domain = repo.plan("mvp_new_domain", "mvp")   # exit 0: no guard objects to a certificate
    return Story(scale, mvp, new_image, new_domain)


@pytest.mark.parametrize("phase", ["mvp", "scale"])
def test_ci_variant_plans_every_service_at_the_ci_deployed_address(story: Story, phase: str) -> None:
    plan = getattr(story, phase)
    services = {a for a, r in planned_resources(plan).items() if r["type"] == "google_cloud_run_v2_service"}
    assert services == {service_address(m, "ci_deployed") for m in SERVICES[phase]}


@pytest.mark.parametrize("phase", ["mvp", "scale"])
def test_ci_variant_plans_the_same_services_as_the_inventory(story: Story, phase: str) -> None:
    """The ci_deployed services carry the inventory's values of the managed ones, and the rest
    of the plan is the inventory too."""
    renamed = {a.replace(".managed[0]", ".ci_deployed[0]"): v for a, v in load_inventory(phase).items()}
    plan = getattr(story, phase)
    assert set(planned_resources(plan)) == set(renamed)
    errors = check_values(plan, renamed)
    assert not errors, "\n".join(errors)


def test_ci_deployed_services_plan_exactly_like_the_managed_ones(story: Story, replica_plan: dict) -> None:
    """Every planned value, not only the inventory's: flipping managed_by_ci changes who owns the
    image and nothing else (tests/terraform/test_layout.py compares the two HCL blocks; this
    compares what Terraform makes of them through the environment). The replica plan is a scale
    plan with managed images, and the replica touches no service."""
    managed, ci = planned_resources(replica_plan), planned_resources(story.scale)
    for module in SERVICES["scale"]:
        m, c = service_address(module, "managed"), service_address(module, "ci_deployed")
        assert ci[c]["values"] == managed[m]["values"], module
        assert change(story.scale, c)["after_unknown"] == change(replica_plan, m)["after_unknown"], module


def test_ci_variant_ignores_a_new_image(story: Story) -> None:
    """[images] api changed after the first apply: Terraform must plan nothing for the service
    (lifecycle.ignore_changes on template[0].containers[0].image), and nothing at all."""
    summary, plan, exit_code = story.new_image
    api = service_address("api", "ci_deployed")
    assert plan["variables"]["api_image"]["value"] == CI_IMAGE  # the change did reach Terraform
    api_change = change(plan, api)
    assert api_change["actions"] == ["no-op"], api_change["actions"]
    assert api_change["after"]["template"][0]["containers"][0]["image"] == API_IMAGE  # what the state holds
    assert exit_code == 0 and summary["resources"] == [], summary


def test_a_domain_change_replaces_only_the_certificate_create_before_destroy(story: Story) -> None:
    summary, plan, _ = story.new_domain
    acts = actions(plan)
    assert acts[CERT] == ["create", "delete"], acts[CERT]   # create-before-destroy
    replacements = {a for a, act in acts.items() if sorted(act) == ["create", "delete"]}
    deletions = {a for a, act in acts.items() if act == ["delete"]}
    assert replacements == {CERT} and not deletions, (replacements, deletions)
    assert summary["changes"]["replace"] == 1 and summary["changes"]["destroy"] == 0, summary["changes"]
    cert = change(plan, CERT)
    assert cert["before"]["managed"][0]["domains"] == [DOMAIN] and cert["after"]["managed"][0]["domains"] == [NEW_DOMAIN]
    # The new certificate needs its own name: both exist until the proxy has moved over.
    assert re.fullmatch(r"pv-cert-[0-9a-f]{8}", cert["before"]["name"]) and re.fullmatch(r"pv-cert-[0-9a-f]{8}", cert["after"]["name"])
    assert cert["before"]["name"] != cert["after"]["name"]


def test_a_domain_change_moves_the_https_proxy_in_place_and_keeps_the_address(story: Story) -> None:
    _, plan, _ = story.new_domain
    acts = actions(plan)
    assert acts[HTTPS_PROXY] == ["update"], acts[HTTPS_PROXY]
    proxy = change(plan, HTTPS_PROXY)
    assert proxy["after_unknown"].get("ssl_certificates") in (True, [True]), proxy["after_unknown"].get("ssl_certificates")
    assert acts[LB_ADDRESS] == ["no-op"]
    address = change(plan, LB_ADDRESS)
    assert address["before"] == address["after"] and address["before"]["address"], address
    for rule in ("https", "http"):
        assert acts[f"module.edge.google_compute_global_forwarding_rule.{rule}"] == ["no-op"], rule


# --- d. Direct VPC egress (module variant, not selectable through pvctl.toml) ---------------------

NETWORK = f"projects/{PROJECT}/global/networks/pv-vpc"
SUBNET = f"projects/{PROJECT}/regions/southamerica-east1/subnetworks/pv-main"
DIRECT_ROOT = f'''
terraform {{
  required_providers {{
    google = {{ source = "hashicorp/google", version = ">= 8.0, < 9.0" }}
  }}
}}

provider "google" {{
  project = "{PROJECT}"
  region  = "southamerica-east1"
}}

locals {{
  settings = {{ cpu = "1", memory = "512Mi", min_instances = 0, max_instances = 3, concurrency = 80, timeout_seconds = 300 }}
}}

module "api" {{
  source = "../modules/cloud_run_api"

  project_id      = "{PROJECT}"
  region          = "southamerica-east1"
  name_prefix     = "pv"
  image           = "{API_IMAGE}"
  settings        = local.settings
  public          = false
  invokers        = {{ bff = module.bff.service_account_member }}
  vpc_egress_mode = var.api_mode
  network_id      = "{NETWORK}"
  subnet_id       = var.api_subnet ? "{SUBNET}" : null
}}

module "bff" {{
  source = "../modules/cloud_run_bff"

  project_id      = "{PROJECT}"
  region          = "southamerica-east1"
  name_prefix     = "pv"
  image           = "southamerica-east1-docker.pkg.dev/{PROJECT}/app/bff:1.0.0"
  settings        = local.settings
  api_url         = module.api.uri
  vpc_egress_mode = "direct"
  network_id      = "{NETWORK}"
  subnet_id       = "{SUBNET}"
}}

variable "api_mode" {{
  type    = string
  default = "direct"
}}

variable "api_subnet" {{
  type    = bool
  default = true
}}
'''


@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("direct_vpc")
    shutil.copytree(REPO / "modules", tmp / "modules", ignore=_SKIP)
    wd = make_workdir(tmp, None)
    wd.write("main.tf", DIRECT_ROOT)
    wd.tf("init", "-backend=false", "-input=false")
    return wd


@pytest.fixture(scope="module")
def direct_plan(direct) -> dict:
    return direct.plan_json()


@pytest.mark.parametrize("module, egress", [("api", "PRIVATE_RANGES_ONLY"), ("bff", "ALL_TRAFFIC")])
def test_direct_vpc_egress_uses_network_interfaces_and_no_connector(direct_plan: dict, module: str, egress: str) -> None:
    address = service_address(module, "managed")
    vpc_access = {address: {"template": [{"vpc_access": [{
        "connector": None,
        "egress": egress,
        "network_interfaces": [{"network": NETWORK, "subnetwork": SUBNET}],
    }]}]}}
    errors = check_values(direct_plan, vpc_access)
    assert not errors, "\n".join(errors)
    unknown = change(direct_plan, address)["after_unknown"]["template"][0]["vpc_access"][0]
    assert unknown.get("connector") is not True, unknown   # null, not "set from something unknown"


def test_direct_vpc_egress_plans_no_connector_anywhere(direct_plan: dict) -> None:
    types = {r["type"] for r in planned_resources(direct_plan).values()}
    assert "google_cloud_run_v2_service" in types and "google_vpc_access_connector" not in types, types


@pytest.mark.parametrize("args, message", [
    (("-var", "api_subnet=false"), "network_id and subnet_id are required"),
    (("-var", "api_mode=connector"), "connector_id is required"),
    (("-var", "api_mode=peering"), "vpc_egress_mode must be connector or direct"),
])
def test_vpc_egress_mode_inputs_are_validated(direct, args: tuple[str, ...], message: str) -> None:
    done = direct.tf("plan", "-input=false", *args, ok=(1,))
    assert message in " ".join((done.stdout + done.stderr).split()), done.stderr[-2000:]
