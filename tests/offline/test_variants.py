"""Configuration variants no phase uses by default, each planned offline for real.

Like test_inventories, the plans come from the real CLI (`pvctl plan --offline --json`) on a copy
of this repository, with a pvctl.toml that switches the variant on:

- `[phases.scale.database] read_replica = true`: a Cloud SQL read replica;
- `[images] managed_by_ci = true`: the Cloud Run services at their `ci_deployed[0]` address, and
  Terraform leaving the image to CI;
- a `[project] domain` change after a sandbox apply: the managed certificate is replaced
  create-before-destroy, nothing else is;
- Direct VPC egress (`vpc_access.mode = "direct"` of modules/cloud_run_service): a small root
  module in a temporary folder calls modules/cloud_run_api and modules/cloud_run_bff with it
  (the module's own inputs and validations);
- Direct VPC egress selected for a phase (`[phases.<phase>.connector] egress = "direct"`): no
  connector, every service on the network's main subnet, and the cost without the connector;
- the connector's address: states written before the egress option hold it at
  `module.connector`, and a `moved` block of environments/moved.tf carries it to
  `module.connector[0]` with nothing to change; switching such a state to direct updates the
  services in place and destroys only the connector.

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
from decimal import Decimal
from pathlib import Path

import pytest

from pvctl.cost.catalog import Catalog
from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import load_usage
from tests.cli.conftest import cli_env, pvctl
from tests.cost.conftest import plan_of
from tests.offline.conftest import make_workdir
from tests.offline.test_inventories import (
    _SKIP,
    PVCTL_TOML,
    REPO,
    UNKNOWN,
    check_values,
    configured_expressions,
    copy_repo,
    load_inventory,
    planned_resources,
)

PROJECT = "pv-inventory-test"
DOMAIN = "app.example.com.br"
NEW_DOMAIN = "shop.example.com.br"
API_IMAGE = f"southamerica-east1-docker.pkg.dev/{PROJECT}/app/api:1.0.0"
CI_IMAGE = f"southamerica-east1-docker.pkg.dev/{PROJECT}/app/api:2.0.0"

PRIMARY = "module.database.google_sql_database_instance.primary"
REPLICA = 'module.database.google_sql_database_instance.replica["read"]'
CERT = "module.edge.google_compute_managed_ssl_certificate.this"
HTTPS_PROXY = "module.edge.google_compute_target_https_proxy.this"
LB_ADDRESS = "module.edge.google_compute_global_address.this"
SERVICES = {"mvp": ("api",), "scale": ("api", "bff", "webhooks")}


def service_address(module: str, variant: str) -> str:
    """The API exists in every phase; the BFF and the webhook receiver only once the site splits (count)."""
    call = "module.api" if module == "api" else f"module.{module}[0]"
    return f"{call}.module.service.google_cloud_run_v2_service.{variant}[0]"


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
        settings = config[f"module.database.google_sql_database_instance.{block}"]["settings"][0]
        return settings["ip_configuration"][0]["private_network"]["references"]

    assert network("replica") == network("primary")  # the same VPC, through the same input


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
    scale: dict  # plan JSON of scale from an empty state
    mvp: dict  # plan JSON of mvp from an empty state, then applied
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
    repo.write_toml(replaced(CI_TOML, f'domain = "{DOMAIN}"', f'domain = "{NEW_DOMAIN}"'))  # image back to 1.0.0
    new_domain = repo.plan("mvp_new_domain", "mvp")  # exit 0: no guard objects to a certificate
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
    assert acts[CERT] == ["create", "delete"], acts[CERT]  # create-before-destroy
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


# --- d. Direct VPC egress (the module variant, through a hand-written root) -----------------------

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

  project_id  = "{PROJECT}"
  region      = "southamerica-east1"
  name_prefix = "pv"
  container   = {{ image = "{API_IMAGE}" }}
  settings    = local.settings
  invokers    = {{ bff = module.bff[0].service_account_member }}
  vpc_access = {{
    mode       = var.api_mode
    network_id = "{NETWORK}"
    subnet_id  = var.api_subnet ? "{SUBNET}" : null
  }}
}}

module "bff" {{
  source = "../modules/cloud_run_bff"
  count  = 1

  project_id  = "{PROJECT}"
  region      = "southamerica-east1"
  name_prefix = "pv"
  container   = {{ image = "southamerica-east1-docker.pkg.dev/{PROJECT}/app/bff:1.0.0" }}
  settings    = local.settings
  api_url     = module.api.uri
  vpc_access  = {{ mode = "direct", network_id = "{NETWORK}", subnet_id = "{SUBNET}" }}
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
    vpc_access = {
        address: {
            "template": [
                {
                    "vpc_access": [
                        {
                            "connector": None,
                            "egress": egress,
                            "network_interfaces": [{"network": NETWORK, "subnetwork": SUBNET}],
                        }
                    ]
                }
            ]
        }
    }
    errors = check_values(direct_plan, vpc_access)
    assert not errors, "\n".join(errors)
    unknown = change(direct_plan, address)["after_unknown"]["template"][0]["vpc_access"][0]
    assert unknown.get("connector") is not True, unknown  # null, not "set from something unknown"


def test_direct_vpc_egress_plans_no_connector_anywhere(direct_plan: dict) -> None:
    types = {r["type"] for r in planned_resources(direct_plan).values()}
    assert "google_cloud_run_v2_service" in types and "google_vpc_access_connector" not in types, types


@pytest.mark.parametrize(
    "args, message",
    [
        (("-var", "api_subnet=false"), "vpc_access.network_id and vpc_access.subnet_id are required"),
        (("-var", "api_mode=connector"), "vpc_access.connector_id is required"),
        (("-var", "api_mode=peering"), "vpc_access.mode must be connector or direct"),
    ],
)
def test_vpc_egress_mode_inputs_are_validated(direct, args: tuple[str, ...], message: str) -> None:
    done = direct.tf("plan", "-input=false", *args, ok=(1,))
    assert message in " ".join((done.stdout + done.stderr).split()), done.stderr[-2000:]


# --- e. Direct VPC egress selected for a phase in pvctl.toml -------------------------------------

CONNECTOR = "module.connector[0].google_vpc_access_connector.this"
OLD_CONNECTOR = "module.connector.google_vpc_access_connector.this"  # before the egress option
MAIN_SUBNET = "module.network.google_compute_subnetwork.main"
NETWORK_RESOURCE = "module.network.google_compute_network.this"
DIRECT_SERVICES = {"growth": ("api",), "scale": ("api", "bff", "webhooks")}
EGRESS = {"api": "PRIVATE_RANGES_ONLY", "webhooks": "PRIVATE_RANGES_ONLY", "bff": "ALL_TRAFFIC"}
DIRECT_TOML = PVCTL_TOML + '\n[phases.growth.connector]\negress = "direct"\n\n[phases.scale.connector]\negress = "direct"\n'


@pytest.fixture(scope="module")
def direct_repo(tmp_path_factory) -> Repo:
    return make_repo(tmp_path_factory.mktemp("direct_phases"), DIRECT_TOML)


@pytest.fixture(scope="module")
def direct_phases(direct_repo: Repo) -> dict[str, dict]:
    """Plan JSON of growth and scale with egress = "direct", each from an empty state."""
    return {phase: direct_repo.plan(f"{phase}_direct", phase)[1] for phase in DIRECT_SERVICES}


@pytest.mark.parametrize("phase", list(DIRECT_SERVICES))
def test_a_direct_phase_plans_no_connector(direct_phases: dict, phase: str) -> None:
    plan = direct_phases[phase]
    assert plan["variables"]["connector"]["value"]["egress"] == "direct"  # the override reached Terraform
    resources = planned_resources(plan)
    assert not [a for a, r in resources.items() if r["type"] == "google_vpc_access_connector" or a.startswith("module.connector")]
    assert not [rc["address"] for rc in plan["resource_changes"] if rc["type"] == "google_vpc_access_connector"]


@pytest.mark.parametrize("phase", list(DIRECT_SERVICES))
def test_every_service_of_a_direct_phase_uses_the_main_subnet(direct_phases: dict, phase: str) -> None:
    plan = direct_phases[phase]
    services = {a for a, r in planned_resources(plan).items() if r["type"] == "google_cloud_run_v2_service"}
    assert services == {service_address(m, "managed") for m in DIRECT_SERVICES[phase]}
    calls = plan["configuration"]["root_module"]["module_calls"]
    for module in DIRECT_SERVICES[phase]:
        address = service_address(module, "managed")
        # From an empty state the ids are unknown: one network interface, both set from the network module.
        expected = {
            address: {
                "template": [
                    {
                        "vpc_access": [
                            {
                                "connector": None,
                                "egress": EGRESS[module],
                                "network_interfaces": [{"network": UNKNOWN, "subnetwork": UNKNOWN}],
                            }
                        ]
                    }
                ]
            }
        }
        errors = check_values(plan, expected)
        assert not errors, "\n".join(errors)
        assert change(plan, address)["after_unknown"]["template"][0]["vpc_access"][0].get("connector") is not True
        # Every service takes the one VPC-access object the composition builds from the network.
        inputs = calls[module]["expressions"]
        assert "local.vpc_access" in inputs["vpc_access"]["references"], inputs["vpc_access"]


def test_a_direct_phase_changes_nothing_else(direct_phases: dict) -> None:
    """Apart from the connector and each service's vpc_access, growth is its inventory."""
    inventory = load_inventory("growth")
    del inventory[CONNECTOR]
    for module in DIRECT_SERVICES["growth"]:
        for block in inventory[service_address(module, "managed")]["template"]:
            block.pop("vpc_access", None)
    plan = direct_phases["growth"]
    assert set(planned_resources(plan)) == set(inventory), sorted(set(planned_resources(plan)) ^ set(inventory))
    errors = check_values(plan, inventory)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("phase", list(DIRECT_SERVICES))
def test_a_direct_phase_costs_the_connector_less(direct_phases: dict, phase: str) -> None:
    """The estimate prices the plan: the connector's line goes, Cloud Run and the rest stay. The
    default plan is the cost fixture (tests/cost/test_real_plans.py keeps it priced like a real one)."""
    catalog, usage = Catalog.load(), load_usage(phase)
    for region in ("us-central1", "southamerica-east1"):
        direct = estimate_plan(direct_phases[phase], region, usage, catalog, phase)
        default = estimate_plan(plan_of(phase), region, usage, catalog, phase)
        assert direct.unpriced == []
        connector = default.by_component()["Serverless VPC Access"]
        assert connector > 0 and "Serverless VPC Access" not in direct.by_component()
        # The gateway no longer has the connector's two VMs to bill (its address stays); scale's
        # NAT keeps the BFF's instance (see the next test).
        nat_vms = 2 * 730 * Decimal("0.0014")
        assert direct.monthly_total <= default.monthly_total - connector, region
        if phase == "growth":
            assert direct.monthly_total == default.monthly_total - connector - nat_vms, region
        expected = {k: v for k, v in default.by_component().items() if k not in ("Serverless VPC Access", "Cloud NAT")}
        assert {k: v for k, v in direct.by_component().items() if k != "Cloud NAT"} == expected, region


def test_cloud_nat_counts_the_direct_services_that_route_all_traffic(direct_phases: dict) -> None:
    """Scale's BFF sends all egress into the VPC: with Direct VPC egress NAT bills its instances
    (min 1), not the connector's two VMs; the API and webhooks (private ranges only) are not counted."""
    estimate = estimate_plan(direct_phases["scale"], "us-central1", load_usage("scale"), Catalog.load(), "scale")
    gateway = [i for i in estimate.items if i.component == "Cloud NAT" and i.sku == "nat_gateway"]
    assert len(gateway) == 1 and gateway[0].quantity == 730, gateway  # 1 VM × 730 h


def test_the_environment_refuses_an_unknown_egress(direct_repo: Repo, direct_phases: dict, tmp_path: Path) -> None:
    """pvctl.toml refuses it first (tests/cli/test_config.py); the variable's validation is for
    anyone who runs Terraform on the environment with other inputs."""
    tfvars = json.loads((direct_repo.path / ".pvctl" / "growth" / "terraform.tfvars.json").read_text())
    tfvars["connector"]["egress"] = "peering"
    shutil.copytree(REPO / "modules", tmp_path / "modules", ignore=_SKIP)
    shutil.copytree(REPO / "environments", tmp_path / "environments", ignore=_SKIP)
    wd = make_workdir(tmp_path, None)
    wd = wd.at(tmp_path / "environments")
    wd.write("terraform.tfvars.json", json.dumps(tfvars))
    wd.write("local_override.tf", 'terraform {\n  backend "local" {}\n}\n')  # instead of the gcs backend
    wd.tf("init", "-input=false")
    done = wd.tf("plan", "-input=false", "-var", "db_admin_password=placeholder", ok=(1,))
    assert 'connector.egress must be "connector"' in " ".join((done.stdout + done.stderr).split()), done.stderr[-2000:]


@dataclass
class Switch:
    moved: tuple[dict, dict, int]  # summary, plan JSON, exit code: old-layout state, default egress
    direct: tuple[dict, dict, int]  # the same state, [phases.mvp.connector] egress = "direct"


def _to_the_old_layout(state_file: Path) -> None:
    """Rewrite a sandbox state as Terraform wrote it before the connector had a count."""
    state = json.loads(state_file.read_text())
    found = [r for r in state["resources"] if r.get("module") == "module.connector[0]"]
    assert len(found) == 1, [r.get("module") for r in state["resources"]]
    for resource in state["resources"]:
        if resource.get("module") == "module.connector[0]":
            resource["module"] = "module.connector"
        for instance in resource["instances"]:
            if "dependencies" in instance:
                instance["dependencies"] = [d.replace("module.connector[0].", "module.connector.") for d in instance["dependencies"]]
    state_file.write_text(json.dumps(state, indent=2))


@pytest.fixture(scope="module")
def switch(tmp_path_factory) -> Switch:
    repo = make_repo(tmp_path_factory.mktemp("egress_switch"), PVCTL_TOML)
    repo.plan("mvp", "mvp")
    repo.apply("mvp", "mvp")
    _to_the_old_layout(repo.path / ".pvctl" / "sandbox" / PROJECT / "terraform.tfstate")
    moved = repo.plan("mvp_moved", "mvp", "--detailed-exitcode", ok=(0, 2))
    repo.write_toml(PVCTL_TOML + '\n[phases.mvp.connector]\negress = "direct"\n')
    direct = repo.plan("mvp_to_direct", "mvp")
    return Switch(moved, direct)


def test_a_state_from_before_the_egress_option_moves_the_connector_and_changes_nothing(switch: Switch) -> None:
    summary, plan, exit_code = switch.moved
    connector = next(rc for rc in plan["resource_changes"] if rc["address"] == CONNECTOR)
    assert connector.get("previous_address") == OLD_CONNECTOR and connector["change"]["actions"] == ["no-op"]
    assert {a: act for a, act in actions(plan).items() if act != ["no-op"]} == {}
    assert exit_code == 0 and summary["resources"] == [], summary


def test_switching_to_direct_updates_the_services_in_place_and_destroys_only_the_connector(switch: Switch) -> None:
    summary, plan, _ = switch.direct
    changed = {a: act for a, act in actions(plan).items() if act != ["no-op"]}
    assert changed == {CONNECTOR: ["delete"], service_address("api", "managed"): ["update"]}, changed
    prior = {a: r["values"] for a, r in planned_resources({"planned_values": plan["prior_state"]["values"]}).items()}
    vpc = change(plan, service_address("api", "managed"))["after"]["template"][0]["vpc_access"][0]
    assert vpc["connector"] is None
    assert [(i["network"], i["subnetwork"]) for i in vpc["network_interfaces"]] == [
        (prior[NETWORK_RESOURCE]["id"], prior[MAIN_SUBNET]["id"])
    ]
    assert summary["changes"]["destroy"] == 1 and summary["changes"]["replace"] == 0, summary["changes"]
