"""pvctl end to end: the real CLI entry point driving the bundled Terraform on terraform_data phases."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.cli.conftest import PVCTL_TOML, cli_env, make_repo, pvctl

LIVE = {"GOOGLE_OAUTH_ACCESS_TOKEN": "not-a-real-token", "PVCTL_DB_ADMIN_PASSWORD": "correct-horse"}


def sandbox_state(repo: Path) -> Path:
    return repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate"


def test_plan_json_apply_saved_plan_then_no_changes(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    first = pvctl(["plan", "--phase", "mvp", "--json", "--detailed-exitcode"], repo, env)
    assert first.returncode == 2, first.stderr
    doc = json.loads(first.stdout)  # nothing but the document on stdout
    assert set(doc) == {"phase", "changes", "resources", "plan_file"}
    assert doc["changes"] == {"add": 1, "change": 0, "destroy": 0, "replace": 0}
    assert doc["resources"] == [{"address": "terraform_data.database", "type": "terraform_data", "actions": ["create"]}]
    assert "planning offline" in first.stderr and "Plan: 1 to add" in (repo / ".pvctl" / "mvp" / "plan.log").read_text()
    meta = json.loads(Path(doc["plan_file"]).with_suffix(".meta.json").read_text())
    assert meta["mode"] == "offline" and meta["phase"] == "mvp"

    applied = pvctl(["apply", "--phase", "mvp", "--offline", "--plan", doc["plan_file"]], repo, env)
    assert applied.returncode == 0, applied.stderr
    state = json.loads(sandbox_state(repo).read_text())
    assert state["outputs"]["phase_order"]["value"] == 1

    again = pvctl(["plan", "--phase", "mvp", "--detailed-exitcode"], repo, env)
    assert again.returncode == 0, again.stderr
    assert "no changes" in again.stdout

    out = pvctl(["output", "--phase", "mvp", "--offline", "--json"], repo, env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"db_password_set": "(sensitive)", "phase": "mvp", "phase_order": 1}


def test_stale_plans_are_refused(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    a, b = tmp_path / "a.tfplan", tmp_path / "b.tfplan"
    assert pvctl(["plan", "--phase", "mvp", "--out", str(a)], repo, env).returncode == 0
    assert pvctl(["plan", "--phase", "mvp", "--out", str(b)], repo, env).returncode == 0
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(b)], repo, env).returncode == 0
    # Same inputs, but the state moved on: Terraform's own check, reported as a refusal.
    stale_state = pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(a)], repo, env)
    assert stale_state.returncode == 3, stale_state.stderr
    assert "state changed" in stale_state.stderr and "pvctl plan --phase mvp --offline" in stale_state.stderr

    c = tmp_path / "c.tfplan"
    assert pvctl(["plan", "--phase", "mvp", "--out", str(c)], repo, env).returncode == 0
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\ntier = "db-g1-small"\n')
    stale_config = pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(c)], repo, env)
    assert stale_config.returncode == 3
    assert "stale" in stale_config.stderr and "configuration or the .tf files changed" in stale_config.stderr


def test_an_applied_plan_is_refused_before_its_summary(repo: Path, tmp_path: Path) -> None:
    """Applying the same saved plan twice: the second is refused from the state's serial before pvctl
    shows its summary or starts Terraform, and the first apply's log stays."""
    env = cli_env(tmp_path)
    plan_file = repo / ".pvctl" / "mvp" / "plan.tfplan"
    apply = ["apply", "--phase", "mvp", "--offline", "--plan", str(plan_file)]
    assert pvctl(["plan", "--phase", "mvp", "--offline"], repo, env).returncode == 0
    first = pvctl(apply, repo, env)
    assert first.returncode == 0, first.stderr
    log = repo / ".pvctl" / "mvp" / "apply.log"
    applied_log = log.read_text()

    again = pvctl(apply, repo, env)
    assert again.returncode == 3, again.stderr
    assert "to add" not in again.stdout and "terraform apply" not in again.stderr
    errors = [line for line in again.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "state changed since it was made" in errors[0], again.stderr
    assert "re-plan with `pvctl plan --phase mvp --offline`" in " ".join(again.stderr.split())
    assert log.read_text() == applied_log

    # A plan made against the state as it is now (lineage and serial set) still applies.
    assert pvctl(["plan", "--phase", "mvp", "--offline"], repo, env).returncode == 0
    assert pvctl(apply, repo, env).returncode == 0


def test_offline_plan_is_not_applied_to_gcp(repo: Path, tmp_path: Path) -> None:
    plan = pvctl(["plan", "--phase", "mvp", "--json"], repo, cli_env(tmp_path))
    plan_file = json.loads(plan.stdout)["plan_file"]
    live = pvctl(["apply", "--phase", "mvp", "--plan", plan_file], repo, cli_env(tmp_path, **LIVE))
    assert live.returncode == 3
    assert "made offline" in live.stderr and "cannot be applied to Google Cloud" in live.stderr


def test_live_apply_needs_confirmation_and_uses_the_local_state(repo: Path, tmp_path: Path, secret_manager) -> None:
    env = cli_env(tmp_path, **LIVE, **secret_manager.env)
    refused = pvctl(["apply", "--phase", "mvp"], repo, env)
    assert refused.returncode == 3 and "--auto-approve" in refused.stderr
    assert pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, env).returncode == 0
    assert json.loads((repo / ".pvctl/state/pv-test-project/terraform.tfstate").read_text())["outputs"]["phase"]["value"] == "mvp"
    assert not sandbox_state(repo).exists()

    # Neither exported nor in Secret Manager (the fake has no db-admin-password value).
    no_password = pvctl(["plan", "--phase", "mvp"], repo, cli_env(tmp_path, GOOGLE_OAUTH_ACCESS_TOKEN="x", **secret_manager.env))
    assert no_password.returncode == 4, no_password.stderr
    assert "PVCTL_DB_ADMIN_PASSWORD" in no_password.stderr and "pvctl secrets set db-admin-password" in no_password.stderr

    not_enough = pvctl(["destroy", "--phase", "mvp", "--auto-approve"], repo, env)
    assert not_enough.returncode == 3 and "--confirm pv-test-project" in not_enough.stderr
    wrong = pvctl(["destroy", "--phase", "mvp", "--confirm", "pv-other"], repo, env)
    assert wrong.returncode == 3
    gone = pvctl(["destroy", "--phase", "mvp", "--confirm", "pv-test-project"], repo, env)
    assert gone.returncode == 0, gone.stderr
    assert json.loads((repo / ".pvctl/state/pv-test-project/terraform.tfstate").read_text())["resources"] == []


def test_destroy_guard_on_a_stateful_replacement(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env).returncode == 0
    # A new edition forces replacement of the (stand-in) database.
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\nedition = "ENTERPRISE_PLUS"\ntier = "db-custom-2-7680"\n')
    refused = pvctl(["plan", "--phase", "mvp", "--json"], repo, env)
    assert refused.returncode == 3
    assert json.loads(refused.stdout)["changes"]["replace"] == 1
    assert "STATEFUL RESOURCES" in refused.stderr and "terraform_data.database (replace)" in refused.stderr
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env).returncode == 3
    allowed = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve", "--allow-destroy"], repo, env)
    assert allowed.returncode == 0, allowed.stderr


def test_downgrade_guard(tmp_path: Path) -> None:
    plain = PVCTL_TOML.split("[guards]")[0]  # no extra stateful types: only the downgrade guard speaks
    repo = make_repo(tmp_path / "infra", plain)
    env = cli_env(tmp_path)
    assert pvctl(["apply", "--phase", "growth", "--offline", "--auto-approve"], repo, env).returncode == 0
    refused = pvctl(["plan", "--phase", "mvp"], repo, env)
    assert refused.returncode == 3
    assert "last applied by phase growth" in refused.stderr and "--allow-downgrade" in refused.stderr
    allowed = pvctl(["plan", "--phase", "mvp", "--allow-downgrade", "--detailed-exitcode"], repo, env)
    assert allowed.returncode == 2, allowed.stderr
    assert "PHASE DOWNGRADE" in allowed.stdout


def test_terraform_version_must_match_the_pin(repo: Path, tmp_path: Path) -> None:
    (repo / ".terraform-version").write_text("1.0.0\n")
    bundled = str(Path(sys.executable).parent / "pvctl-terraform")
    result = pvctl(["plan", "--phase", "mvp", "--terraform", bundled], repo, cli_env(tmp_path))
    assert result.returncode == 1
    assert "pins 1.0.0" in result.stderr and result.stderr.count("\n") <= 3


def test_fresh_clone_plans_offline_from_the_example(repo: Path, tmp_path: Path) -> None:
    (repo / "pvctl.toml").rename(repo / "pvctl.example.toml")
    done = pvctl(["plan", "--phase", "mvp", "--json"], repo, cli_env(tmp_path, **LIVE))  # credentials present, still offline
    assert done.returncode == 0, done.stderr
    assert "using pvctl.example.toml" in done.stderr and "planning offline" in done.stderr
    assert json.loads(done.stdout)["changes"]["add"] == 1
    live = pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, cli_env(tmp_path, **LIVE))
    assert live.returncode == 4 and "copy pvctl.example.toml to pvctl.toml" in live.stderr


SECRET_PHASE = """
terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

# Gone when the read replica is switched on: a config change that deletes a secret.
resource "google_secret_manager_secret" "token" {
  count     = var.database.read_replica ? 0 : 1
  secret_id = "${var.name_prefix}-token"
  replication {
    auto {}
  }
}
"""


def test_destroy_guard_on_a_real_secret_through_the_offline_provider(tmp_path: Path) -> None:
    plain = PVCTL_TOML.split("[guards]")[0]  # only the built-in stateful types
    repo = make_repo(tmp_path / "infra", plain)
    (repo / "environments" / "mvp" / "secret.tf").write_text(SECRET_PHASE)
    env = cli_env(tmp_path)
    created = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env)
    assert created.returncode == 0, created.stderr + created.stdout
    assert "google_secret_manager_secret" in sandbox_state(repo).read_text()

    (repo / "pvctl.toml").write_text(plain + "\n[phases.mvp.database]\nread_replica = true\n")
    refused = pvctl(["plan", "--phase", "mvp", "--json"], repo, env)
    assert refused.returncode == 3, refused.stderr
    assert json.loads(refused.stdout)["changes"]["destroy"] == 1
    assert "google_secret_manager_secret.token[0] (delete)" in refused.stderr
    allowed = pvctl(["plan", "--phase", "mvp", "--allow-destroy", "--detailed-exitcode"], repo, env)
    assert allowed.returncode == 2, allowed.stderr


def test_terraform_failures_are_one_error_line_after_terraform_output(repo: Path, tmp_path: Path) -> None:
    (repo / "environments" / "mvp" / "broken.tf").write_text('resource "terraform_data" "x" {\n  input = \n}\n')
    done = pvctl(["plan", "--phase", "mvp"], repo, cli_env(tmp_path))
    assert done.returncode == 1
    assert "broken.tf" in done.stderr  # Terraform's diagnostic, shown although init runs quietly
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: terraform init failed for phase mvp: Error: ") and "Traceback" not in done.stderr


def test_live_apply_asks_secret_manager_first(repo: Path, tmp_path: Path, secret_manager) -> None:
    secret_manager.server.versions.pop("projects/pv-test-project/secrets/pv-whatsapp-token")
    secret_manager.server.create_secret("pv-test-project", "pv-crm-api-token")
    secret_manager.server.versions["projects/pv-test-project/secrets/pv-crm-api-token"].clear()
    env = cli_env(tmp_path, **LIVE, **secret_manager.env)

    absent = pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, env)
    assert absent.returncode == 3, absent.stderr
    assert "secrets not created yet: pv-whatsapp-token" in absent.stderr and "pvctl secrets init --phase mvp" in absent.stderr
    assert not (repo / ".pvctl/state/pv-test-project/terraform.tfstate").exists()  # refused before Terraform ran

    secret_manager.set("whatsapp-token")
    empty = pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, env)
    assert empty.returncode == 3 and "without an enabled version: pv-crm-api-token" in empty.stderr
    assert "pvctl secrets set crm-api-token" in empty.stderr

    # All set, and the admin password comes from Secret Manager when it is not exported
    # (Terraform refuses to run without a value for the ephemeral variable).
    secret_manager.set("crm-api-token")
    secret_manager.set("db-admin-password", b"from-secret-manager")
    no_export = {k: v for k, v in env.items() if k != "PVCTL_DB_ADMIN_PASSWORD"}
    applied = pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, no_export)
    assert applied.returncode == 0, applied.stderr
    assert "from-secret-manager" not in applied.stdout + applied.stderr
    state = json.loads((repo / ".pvctl/state/pv-test-project/terraform.tfstate").read_text())
    assert state["outputs"]["phase"]["value"] == "mvp"


def test_live_apply_records_the_applied_plan_and_offline_apply_does_not(repo: Path, tmp_path: Path, secret_manager) -> None:
    import stat

    record = repo / ".pvctl" / "mvp" / "applied.json"
    sandbox = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, cli_env(tmp_path))
    assert sandbox.returncode == 0, sandbox.stderr
    assert not record.exists()  # the sandbox is not what runs in the project

    env = cli_env(tmp_path, **LIVE, **secret_manager.env)
    live = pvctl(["apply", "--phase", "mvp", "--auto-approve"], repo, env)
    assert live.returncode == 0, live.stderr
    assert stat.S_IMODE(record.stat().st_mode) == 0o600  # plan JSON holds secret values
    doc = json.loads(record.read_text())
    assert (doc["phase"], doc["project_id"], doc["destroy"]) == ("mvp", "pv-test-project", False)
    # An interactive apply planned into a file of its own, removed when it ended: no shared plan.tfplan.
    assert doc["plan_file"] == "(planned and confirmed in the same run)" and doc["applied_at"]
    assert not (repo / ".pvctl" / "mvp" / "plan.tfplan").exists() and not list(record.parent.glob(".pvctl-*"))
    assert [r["address"] for r in doc["plan"]["planned_values"]["root_module"]["resources"]] == ["terraform_data.database"]
    assert "correct-horse" not in record.read_text()  # the ephemeral admin password never reaches a plan
    assert not list(record.parent.glob(".applied.json.*"))  # written through a temporary file, none left over
    assert "could not be recorded" not in live.stderr

    # A targeted live apply (`pvctl secrets init`: "complete": false) covers a few resources only; the record stays.
    (repo / "modules" / "secrets").mkdir()
    (repo / "modules" / "secrets" / "main.tf").write_text('resource "terraform_data" "container" {\n  input = "token"\n}\n')
    (repo / "environments" / "mvp" / "secrets.tf").write_text('module "secrets" {\n  source = "../../modules/secrets"\n}\n')
    before = record.read_bytes()
    targeted = pvctl(["secrets", "init", "--phase", "mvp", "--auto-approve"], repo, env)
    assert targeted.returncode == 0, targeted.stderr
    state = json.loads((repo / ".pvctl/state/pv-test-project/terraform.tfstate").read_text())
    assert {(r.get("module"), r["name"]) for r in state["resources"]} == {(None, "database"), ("module.secrets", "container")}
    assert record.read_bytes() == before

    # A later offline apply with changes leaves the record of the live one alone.
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\ntier = "db-g1-small"\n')
    before = record.read_bytes()
    changed = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, cli_env(tmp_path))
    assert changed.returncode == 0, changed.stderr
    assert "db-g1-small" in sandbox_state(repo).read_text() and record.read_bytes() == before

    # A live destroy is the last live apply too.
    (repo / "pvctl.toml").write_text(PVCTL_TOML)
    gone = pvctl(["destroy", "--phase", "mvp", "--confirm", "pv-test-project"], repo, env)
    assert gone.returncode == 0, gone.stderr
    doc = json.loads(record.read_text())
    assert doc["destroy"] is True and not list(record.parent.rglob("destroy.tfplan"))
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_plan_is_quiet_with_the_changed_attributes_and_verbose_streams_terraform(repo: Path, tmp_path: Path) -> None:
    import stat

    env = {k: v for k, v in cli_env(tmp_path).items() if k != "COLUMNS"}  # piped, no width given
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env).returncode == 0
    quiet = pvctl(["plan", "--phase", "growth", "--offline"], repo, env)
    assert quiet.returncode == 0, quiet.stderr
    # pvctl's summary, with what the update changes; none of Terraform's plan text or its override warning.
    assert "~ terraform_data.database\n    input: db-f1-micro → db-g1-small\n" in quiet.stdout
    assert "Terraform will perform" not in quiet.stdout + quiet.stderr
    assert "development overrides" not in quiet.stdout + quiet.stderr
    assert quiet.stderr.count("Offline mode: hashicorp/google is pvctl's stand-in") == 1
    log = repo / ".pvctl" / "growth" / "plan.log"
    assert "full log: .pvctl/growth/plan.log" in quiet.stderr
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "Terraform will perform the following actions" in log.read_text()
    # Piped with no COLUMNS: sentences are not folded at 80 columns.
    assert "(+$0.00/month, USD; now: mvp applied, mvp traffic; after: growth traffic)\n" in quiet.stdout
    banner = [line for line in quiet.stderr.splitlines() if line.startswith("Offline mode:")]
    assert banner and banner[0].endswith("placeholders in the sandbox state.")

    verbose = pvctl(["--verbose", "plan", "--phase", "growth", "--offline"], repo, env)
    assert verbose.returncode == 0, verbose.stderr
    assert "Terraform will perform the following actions" in verbose.stdout
    assert "development overrides" not in verbose.stdout + verbose.stderr
    assert "Terraform used the selected providers" in verbose.stdout  # the paragraph after the warning stays
    # -v after the command, where users type it, does the same.
    after = pvctl(["plan", "--phase", "growth", "--offline", "-v"], repo, env)
    assert after.returncode == 0, after.stderr
    assert "Terraform will perform the following actions" in after.stdout


def test_init_runs_again_only_when_what_it_reads_changed(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    first = pvctl(["plan", "--phase", "mvp", "--offline"], repo, env)
    assert first.returncode == 0 and "terraform init (mvp" in first.stderr, first.stderr
    again = pvctl(["plan", "--phase", "mvp", "--offline"], repo, env)
    assert again.returncode == 0 and "terraform init" not in again.stderr, again.stderr
    # A new module file, another backend (project -> state path), a deleted data dir: each needs init.
    (repo / "modules" / "extra.tf").write_text("# changed\n")
    changed = pvctl(["plan", "--phase", "mvp", "--offline"], repo, env)
    assert changed.returncode == 0 and "terraform init (mvp" in changed.stderr, changed.stderr
    moved = pvctl(["plan", "--phase", "mvp", "--offline", "--project", "pv-other-project"], repo, env)
    assert moved.returncode == 0 and "terraform init (mvp" in moved.stderr, moved.stderr
    import shutil

    shutil.rmtree(repo / ".pvctl" / "tf" / "mvp-offline")
    fresh = pvctl(["plan", "--phase", "mvp", "--offline", "--project", "pv-other-project"], repo, env)
    assert fresh.returncode == 0 and "terraform init (mvp" in fresh.stderr, fresh.stderr
