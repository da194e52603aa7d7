"""The stand-in through the real Terraform engine: validate, plan, sandbox apply, replace."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.conftest import with_standin_cache
from tests.offline.conftest import REPO_ROOT

PROVIDER = '''
terraform {
  required_providers {
    google = { source = "hashicorp/google", version = ">= 8.0, < 9.0" }
  }
}
provider "google" {
  project = "pv-offline-test"
  region  = "southamerica-east1"
}
'''


def _change(plan: dict, address: str) -> dict:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def test_fixture_validates_and_plans_with_unknown_computed_values(workdir):
    wd = workdir("basic")
    wd.tf("init", "-backend=false", "-input=false")
    assert "Success" in wd.tf("validate").stdout
    plan = wd.plan_json()
    sql = _change(plan, "google_sql_database_instance.pg")["change"]
    assert sql["actions"] == ["create"]
    assert sql["after_unknown"]["connection_name"] is True and sql["after_unknown"]["self_link"] is True
    assert sql["after"]["project"] == "pv-offline-test"  # known at plan time, like the real provider
    assert sql["after"]["settings"][0]["ip_configuration"][0]["ssl_mode"] == "ENCRYPTED_ONLY"
    user = _change(plan, "google_sql_user.admin")["change"]
    assert user["after"]["password_wo"] is None and user["after"]["password_wo_version"] == 1
    redis = _change(plan, "google_redis_instance.cache")["change"]
    assert redis["after"]["effective_labels"] == {"app": "pv", "goog-terraform-provisioned": "true"}
    assert redis["after_unknown"]["host"] is True
    assert plan["output_changes"]["api_uri"]["after_unknown"] is True


@pytest.mark.parametrize(
    "body, summary",
    [
        ('resource "google_redis_instance" "r" {\n  name = "cache"\n  memory_size_gb = 1\n  teir = "BASIC"\n}\n', "Unsupported argument"),
        ('resource "google_vpc_access_connector" "c" {\n  region = "southamerica-east1"\n}\n', "Missing required argument"),
        (
            'resource "google_redis_instance" "r" {\n  name = "cache"\n  memory_size_gb = 1\n  labels {\n    app = "pv"\n  }\n}\n',
            "Unsupported block type",
        ),
        (
            'resource "google_redis_instance" "r" {\n  name = "cache"\n  memory_size_gb = 1\n}\n'
            'output "x" {\n  value = google_redis_instance.r.hostname\n}\n',
            "Unsupported attribute",
        ),
    ],
)
def test_terraform_rejects_what_the_schema_forbids(workdir, body, summary):
    wd = workdir()
    wd.write("main.tf", PROVIDER + body)
    wd.tf("init", "-backend=false", "-input=false")
    done = wd.tf("validate", "-json", ok=(1,))
    errors = [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]
    assert [d["summary"] for d in errors] == [summary]
    assert errors[0]["range"]["filename"] == "main.tf" and errors[0]["range"]["start"]["line"] > 10


def test_write_only_argument_accepts_an_ephemeral_variable_only_there(workdir):
    wd = workdir()
    wd.write("main.tf", PROVIDER + '''
variable "pw" {
  type      = string
  ephemeral = true
  default   = "x"
}
resource "google_sql_user" "u" {
  name     = "u"
  instance = "i"
  password = var.pw
}
''')
    wd.tf("init", "-backend=false", "-input=false")
    done = wd.tf("validate", "-json", ok=(1,))
    assert "Invalid use of ephemeral value" in [d["summary"] for d in json.loads(done.stdout)["diagnostics"]]
    wd.write("main.tf", (wd.path / "main.tf").read_text().replace("password = var.pw", "password_wo = var.pw\n  password_wo_version = 1"))
    wd.tf("validate")


def test_sandbox_apply_then_no_changes_then_an_immutable_change_replaces(workdir):
    wd = workdir("basic")
    wd.tf("init", "-backend=false", "-input=false")
    applied = wd.tf("apply", "-input=false", "-auto-approve")
    assert "Resources: 4 added" in applied.stdout
    outputs = json.loads(wd.tf("output", "-json").stdout)
    assert outputs["api_uri"]["value"].startswith("https://pv-api-") and outputs["api_uri"]["value"].endswith("-rj.a.run.app")
    assert outputs["redis_host"]["value"].startswith("192.0.2.")
    state = json.loads((wd.path / "terraform.tfstate").read_text())
    pg = next(r for r in state["resources"] if r["type"] == "google_sql_database_instance")["instances"][0]["attributes"]
    assert pg["connection_name"] == "pv-offline-test:southamerica-east1:pv-pg"
    user = next(r for r in state["resources"] if r["type"] == "google_sql_user")["instances"][0]["attributes"]
    assert user["password_wo"] is None  # write-only: never in state

    again = wd.tf("plan", "-input=false", "-detailed-exitcode")
    assert "No changes." in again.stdout

    plan = wd.plan_json("-var=redis_tier=STANDARD_HA")
    redis = _change(plan, "google_redis_instance.cache")
    assert redis["change"]["actions"] == ["delete", "create"]
    assert redis["change"]["replace_paths"] == [["tier"]]
    others = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"] if rc["address"] != redis["address"]}
    assert set(map(tuple, others.values())) == {("no-op",)}


def test_in_place_update_keeps_computed_values(workdir):
    wd = workdir("basic")
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("apply", "-input=false", "-auto-approve")
    text = (wd.path / "main.tf").read_text().replace("memory_size_gb = 1", "memory_size_gb = 2")
    wd.write("main.tf", text)
    redis = _change(wd.plan_json(), "google_redis_instance.cache")["change"]
    assert redis["actions"] == ["update"]
    assert redis["after"]["host"] == redis["before"]["host"] and not redis["after_unknown"].get("host")


def test_home_terraformrc_is_never_created(workdir, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    repo = with_standin_cache(tmp_path / "repo")
    wd = workdir("basic", repo_root=repo, extra_env={"HOME": str(home), "TF_CLI_CONFIG_FILE": str(home / ".terraformrc")})
    assert wd.runner.env()["TF_CLI_CONFIG_FILE"] == str(tmp_path / "repo" / ".pvctl" / "offline" / "terraformrc")
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("plan", "-input=false")
    assert sorted(p.name for p in home.iterdir() if p.name in (".terraformrc", "terraform.rc")) == []
    assert (tmp_path / "repo" / ".pvctl" / "offline" / "plugin" / "terraform-provider-google").stat().st_mode & 0o111


def test_pvctl_validate_passes_for_every_module_and_phase_in_the_repository(tmp_path):
    # The one check that every module, example and the composition validates (init + terraform validate each).
    from pvctl.policy.terraform_validate import targets

    found = targets(REPO_ROOT)
    assert found, "no modules/* or environments/* to validate"
    done = pvctl(["validate", "--json", "--repo", str(REPO_ROOT)], REPO_ROOT, cli_env(tmp_path))
    report = json.loads(done.stdout)
    assert [r["target"] for r in report["results"]] == [str(p.relative_to(REPO_ROOT)) for p in found]
    problems = [f"{r['target']}: {d['filename']}:{d['line']} {d['summary']}: {d['detail']}"
                for r in report["results"] for d in r["diagnostics"] if d["severity"] == "error"]
    assert done.returncode == 0 and report["valid"], "\n".join(problems) or done.stderr


def test_ephemeral_resource_feeds_a_write_only_argument(workdir):
    wd = workdir()
    wd.write("main.tf", PROVIDER + '''
ephemeral "google_secret_manager_secret_version" "pw" {
  secret = "projects/pv-offline-test/secrets/db-admin"
}
resource "google_sql_user" "u" {
  name                = "u"
  instance            = "i"
  password_wo         = ephemeral.google_secret_manager_secret_version.pw.secret_data
  password_wo_version = 1
}
''')
    wd.tf("init", "-backend=false", "-input=false")
    wd.tf("validate")
    done = wd.tf("apply", "-input=false", "-auto-approve")
    assert "ephemeral.google_secret_manager_secret_version.pw: Opening" in done.stdout
    assert "is a placeholder" in done.stdout  # says what it cannot know, never silently
    state = json.loads((wd.path / "terraform.tfstate").read_text())
    assert "pvctl-offline-placeholder" not in json.dumps(state)


def test_pvctl_validate_reports_terraform_diagnostics_and_fails(tmp_path):

    for folder, body in (
        ("modules/bad", 'resource "google_redis_instance" "r" {\n  name = "r"\n  memory_size_gb = 1\n  teir = "BASIC"\n}\n'),
        ("environments", 'resource "google_redis_instance" "r" {\n  name = "cache"\n  memory_size_gb = 1\n}\n'),
    ):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.tf").write_text(PROVIDER + body)
    done = pvctl(["validate", "--repo", str(tmp_path)], tmp_path, cli_env(tmp_path / "user"))
    assert done.returncode == 1
    line = PROVIDER.count("\n") + 4  # the `teir` line
    assert f"{tmp_path / 'modules/bad/main.tf'}:{line}: Unsupported argument" in " ".join(done.stderr.split())
    assert re.search(r"modules/bad\s+│\s+invalid", done.stdout) and re.search(r"environments\s+│\s+valid", done.stdout), done.stdout
