"""What a careless or unlucky user can do to pvctl: every case is one line (or one JSON document), the
same exit code for the same cause, no traceback, nothing half-written, nothing applied that was not reviewed.

Real CLI processes against terraform_data phases (tests/cli/conftest.py); Secret Manager is the
wire-level fake of tests/gcp.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import PVCTL_TOML, cli_env, make_repo, pty_session, pvctl

ANSI = "\x1b["


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: bytes = b"", umask: int = -1) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pvctl", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=180, umask=umask)


def one_line_error(done: subprocess.CompletedProcess | subprocess.CompletedProcess[str]) -> str:
    err = done.stderr if isinstance(done.stderr, str) else done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


def json_error(done: subprocess.CompletedProcess) -> dict:
    doc = json.loads(done.stdout)   # the whole of stdout is one document
    assert set(doc["error"]) == {"what", "fix", "exit_code"} and doc["error"]["exit_code"] == done.returncode
    return doc["error"]


# --- no traceback on any input ----------------------------------------------------------------

@pytest.mark.parametrize("before, after, field", [
    ("phases = 3\n", "", "phases"),
    ("usage = 3\n", "", "usage"),
    ("", "[phases]\nmvp = 3\n", "phases.mvp"),
    ("", "[phases.mvp]\napi = 3\n", "phases.mvp.api"),
    ("", "[usage]\nmvp = 3\n", "usage.mvp"),
])
def test_a_scalar_where_a_table_belongs_is_one_line(tmp_path: Path, before: str, after: str, field: str) -> None:
    repo = make_repo(tmp_path / "infra")
    (repo / "pvctl.toml").write_text(before + PVCTL_TOML + "\n" + after)   # top-level keys come before any table
    done = pvctl(["config", "show"], repo, cli_env(tmp_path))
    assert done.returncode == 4, done.stderr
    assert one_line_error(done).startswith(f"error: {field}: ")


def test_non_utf8_files_and_locales_are_one_line(repo: Path, tmp_path: Path) -> None:
    (repo / "pvctl.toml").write_bytes(PVCTL_TOML.encode().replace(b'"app.example.com.br"', b'"app.\xe9xample.com.br"'))
    done = pvctl(["plan", "--phase", "mvp"], repo, cli_env(tmp_path))
    assert done.returncode == 4
    assert "pvctl.toml" in one_line_error(done) and "UTF-8" in done.stderr

    (repo / "pvctl.toml").write_text(PVCTL_TOML)
    bad_json = tmp_path / "plan.json"
    bad_json.write_bytes(b'{"format_version": "1.2", "x": "\xff\xfe"}')
    done = pvctl(["cost", "--phase", "mvp", "--plan-json", str(bad_json)], repo, cli_env(tmp_path))
    assert done.returncode == 1 and "not UTF-8" in one_line_error(done)

    # An ASCII-only terminal: pvctl's messages carry em dashes; they are replaced, never fatal.
    for encoding in ({"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C"}):
        done = pvctl(["plan", "--phase", "nope"], repo, cli_env(tmp_path, **encoding))
        assert done.returncode == 4 and "unknown phase" in one_line_error(done)


def test_missing_credentials_give_the_same_exit_code_everywhere(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    refresh = pvctl(["prices", "refresh"], repo, env)
    apply = pvctl(["apply", "--phase", "mvp"], repo, env)
    status = pvctl(["status", "--phase", "mvp"], repo, env)
    for done in (refresh, apply, status):
        assert done.returncode == 4, done.stderr
        assert "gcloud auth application-default login" in one_line_error(done)
    doc = json_error(pvctl(["prices", "refresh", "--json"], repo, env))
    assert "credentials" in doc["what"] and doc["exit_code"] == 4


def test_json_mode_failures_are_one_document(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert json_error(pvctl(["plan", "--phase", "nope", "--json"], repo, env))["exit_code"] == 4
    debug = pvctl(["plan", "--phase", "nope"], repo, cli_env(tmp_path, PVCTL_DEBUG="1"))
    assert debug.returncode == 4 and "Traceback (most recent call last)" in debug.stderr and "unknown phase" in debug.stderr
    usage = pvctl(["plan", "--phase", "mvp", "--json", "--bogus"], repo, env)
    assert usage.returncode == 2 and "--bogus" in json_error(usage)["what"]

    # A guard refusal: the summary and the refusal in the same single document.
    first = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env)
    assert first.returncode == 0, first.stderr
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\nedition = "ENTERPRISE_PLUS"\ntier = "db-custom-2-7680"\n')
    refused = pvctl(["plan", "--phase", "mvp", "--json"], repo, env)
    assert refused.returncode == 3, refused.stderr
    doc = json.loads(refused.stdout)
    assert doc["changes"]["replace"] == 1 and doc["error"]["exit_code"] == 3 and "--allow-destroy" in doc["error"]["fix"]


def test_format_is_checked_before_any_work(repo: Path, tmp_path: Path) -> None:
    for command in (["check"], ["ci"]):
        done = pvctl([*command, "--format", "yaml"], repo, cli_env(tmp_path), timeout=20)
        assert done.returncode == 4 and "--format" in one_line_error(done)
    assert not (repo / ".pvctl" / "ci").exists()


def test_unexpected_errors_are_one_line_and_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from pvctl.app import PvctlGroup

    app = typer.Typer(cls=PvctlGroup, pretty_exceptions_enable=False)

    @app.command("boom")
    def boom() -> None:
        raise RuntimeError("a bug\nsecond line")

    @app.command("other")
    def other() -> None:
        pass

    monkeypatch.delenv("PVCTL_DEBUG", raising=False)
    done = CliRunner().invoke(app, ["boom"])
    assert done.exit_code == 1 and "unexpected error: RuntimeError: a bug" in done.output and "PVCTL_DEBUG=1" in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    monkeypatch.setenv("PVCTL_DEBUG", "1")
    debug = CliRunner().invoke(app, ["boom"])
    assert debug.exit_code == 1 and "Traceback (most recent call last)" in debug.output
    assert "RuntimeError: a bug" in debug.output and "unexpected error" in debug.output


# --- secrets and images -----------------------------------------------------------------------

def test_a_secret_on_the_command_line_is_refused_without_echoing_it(repo: Path, tmp_path: Path) -> None:
    for args in (["secrets", "set", "whatsapp-token", "s3cr3t-VALUE"], ["secrets", "set", "whatsapp-token", "--value=s3cr3t-VALUE"],
                 ["secrets", "rotate", "whatsapp-token", "s3cr3t-VALUE"]):
        done = run(args, repo, cli_env(tmp_path))
        assert done.returncode == 4, done.stderr
        assert b"s3cr3t-VALUE" not in done.stdout + done.stderr
        assert "never taken from the command line" in one_line_error(done)


def test_secret_values_from_stdin_any_bytes_and_the_password_policy(repo: Path, tmp_path: Path, secret_manager) -> None:
    env = cli_env(tmp_path, GOOGLE_OAUTH_ACCESS_TOKEN="not-a-real-token", **secret_manager.env)
    blob = bytes(range(256))
    done = run(["secrets", "set", "whatsapp-token"], repo, env, stdin=blob)
    assert done.returncode == 0, done.stderr
    assert secret_manager.server.payloads["projects/pv-test-project/secrets/pv-whatsapp-token/versions/2"] == blob

    secret_manager.server.create_secret("pv-test-project", "pv-db-admin-password")
    for value, why in ((b"\xff\xfe binary", "not UTF-8"), (b"Short-1!", "at least 16"), (b"alllowercaseletters-1", "mix"),
                       (b"Pvadmin-Password-123!", "pvadmin")):
        refused = run(["secrets", "set", "db-admin-password"], repo, env, stdin=value + b"\n")
        assert refused.returncode == 4, refused.stderr
        assert why in one_line_error(refused) and value not in refused.stderr + refused.stdout
    assert "projects/pv-test-project/secrets/pv-db-admin-password/versions/1" not in secret_manager.server.payloads
    good = run(["secrets", "set", "db-admin-password"], repo, env, stdin=b"Correct-Horse-Battery-9\n")
    assert good.returncode == 0, good.stderr
    assert secret_manager.server.payloads["projects/pv-test-project/secrets/pv-db-admin-password/versions/1"] == b"Correct-Horse-Battery-9"


def test_deploy_image_follows_the_pvctl_toml_rules(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path, GOOGLE_OAUTH_ACCESS_TOKEN="not-a-real-token")
    done = pvctl(["deploy", "--service", "api", "--image", "api:latest"], repo, env, timeout=30)
    assert done.returncode == 4 and "--image: 'api:latest' is not a full image reference" in one_line_error(done)


# --- validation before Terraform --------------------------------------------------------------

@pytest.mark.parametrize("override, field", [
    ("[phases.growth.api]\nmin_instances = 5\nmax_instances = 1\n", "phases.growth.api.min_instances"),
    ("[phases.mvp.api]\nmax_instances = -1\n", "phases.mvp.api.max_instances"),
    ("[phases.mvp.api]\ntimeout_seconds = 7200\n", "phases.mvp.api.timeout_seconds"),
    ("[phases.mvp.api]\nmemory = \"64Gi\"\n", "phases.mvp.api.memory"),
    ("[phases.scale.redis]\nmemory_size_gb = 400\n", "phases.scale.redis.memory_size_gb"),
    ("[phases.mvp.connector]\nmin_instances = 3\nmax_instances = 3\n", "phases.mvp.connector.max_instances"),
    ("[phases.mvp.database]\ntier = \"db-custom-2-1024\"\n", "phases.mvp.database.tier"),
    ("[billing]\nbudget_usd = 0\n", "billing.budget_usd"),
])
def test_limits_are_checked_when_the_configuration_loads(tmp_path: Path, override: str, field: str) -> None:
    repo = make_repo(tmp_path / "infra")
    (repo / "pvctl.toml").write_text(PVCTL_TOML + "\n" + override)
    done = pvctl(["plan", "--phase", "mvp"], repo, cli_env(tmp_path))
    assert done.returncode == 4, done.stderr
    line = one_line_error(done)
    assert line.startswith(f"error: {field}:") and "https://cloud.google.com/" in line
    assert not (repo / ".pvctl" / "tf").exists()   # Terraform never ran


def test_template_sequences_in_paths_and_prefixes_reach_terraform_as_text(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "in${var.x}fra%{ if true }x%{ endif }")
    env = cli_env(tmp_path)
    done = pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env)
    assert done.returncode == 0, done.stderr
    assert (repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate").is_file()

    (repo / "pvctl.toml").write_text(PVCTL_TOML.replace("[guards]", '[state]\nprefix = "team/${path.module}"\n\n[guards]'))
    rendered = pvctl(["render", "--phase", "mvp", "--state-bucket", "pv-test-state"], repo, env)
    assert rendered.returncode == 0, rendered.stderr
    backend = (repo / ".pvctl" / "mvp" / "backend.tfbackend").read_text()
    assert 'prefix = "team/$${path.module}"' in backend


# --- plan integrity and file safety -----------------------------------------------------------

def test_out_writes_only_new_files_or_earlier_pvctl_plans(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    config = (repo / "pvctl.toml").read_bytes()
    for target in ("pvctl.toml", "plan.json", "notes.txt"):
        done = pvctl(["plan", "--phase", "mvp", "--out", target], repo, env)
        assert done.returncode == 4 and "--out" in one_line_error(done)
    assert (repo / "pvctl.toml").read_bytes() == config and not (repo / "plan.json").exists()

    (repo / "mine.json").write_text("my own notes")
    clash = pvctl(["plan", "--phase", "mvp", "--out", "mine.tfplan"], repo, env)
    assert clash.returncode == 4 and "mine.json exists" in one_line_error(clash)
    assert (repo / "mine.json").read_text() == "my own notes"

    assert pvctl(["plan", "--phase", "mvp", "--out", "new.tfplan"], repo, env).returncode == 0
    again = pvctl(["plan", "--phase", "mvp", "--out", "new.tfplan"], repo, env)  # an earlier pvctl plan may be replaced
    assert again.returncode == 0, again.stderr


def test_a_plan_swapped_after_review_is_refused(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    reviewed, other = tmp_path / "reviewed.tfplan", tmp_path / "other.tfplan"
    assert pvctl(["plan", "--phase", "mvp", "--out", str(reviewed)], repo, env).returncode == 0
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\ntier = "db-g1-small"\n')
    assert pvctl(["plan", "--phase", "mvp", "--out", str(other)], repo, env).returncode == 0
    (repo / "pvctl.toml").write_text(PVCTL_TOML)
    shutil.copyfile(other, reviewed)   # the sidecar still describes the reviewed plan
    done = pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(reviewed)], repo, env)
    assert done.returncode == 3 and "is not the plan its sidecar" in one_line_error(done)
    assert not (repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate").exists()


def _logging_terraform(tmp_path: Path) -> tuple[str, Path]:
    """A Terraform executable that notes each subcommand it runs, then runs the bundled one."""
    log, wrapper = tmp_path / "terraform-commands.log", tmp_path / "terraform"
    bundled = Path(sys.executable).parent / "pvctl-terraform"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{bundled}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper), log


def test_apply_shows_the_reviewed_json_or_derives_it_again(repo: Path, tmp_path: Path) -> None:
    """The JSON `plan` published is what apply summarises when the sidecar's hash of it still matches
    (no second `show -json`); an edited one is not believed: the plan file is shown again."""
    env = cli_env(tmp_path)
    terraform, log = _logging_terraform(tmp_path)
    plan = tmp_path / "p.tfplan"
    assert pvctl(["plan", "--phase", "mvp", "--out", str(plan), "--terraform", terraform], repo, env).returncode == 0
    log.write_text("")
    kept = pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(plan), "--terraform", terraform], repo, env)
    assert kept.returncode == 0, kept.stderr
    assert "apply" in log.read_text().split() and "show" not in log.read_text().split()

    assert pvctl(["plan", "--phase", "growth", "--out", str(plan), "--terraform", terraform], repo, env).returncode == 0
    edited = json.loads(plan.with_suffix(".json").read_text())
    real = {rc["address"] for rc in edited["resource_changes"]}
    for change in edited["resource_changes"]:
        change["address"] = "terraform_data.not_in_the_plan"
    plan.with_suffix(".json").write_text(json.dumps(edited))
    log.write_text("")
    done = pvctl(["apply", "--phase", "growth", "--offline", "--plan", str(plan), "--terraform", terraform], repo, env)
    assert done.returncode == 0, done.stderr
    assert "show" in log.read_text().split()
    assert "not_in_the_plan" not in done.stdout + done.stderr and any(address in done.stdout for address in real), done.stdout


def test_a_failed_plan_leaves_the_previous_plan_whole(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    plan = tmp_path / "p.tfplan"
    assert pvctl(["plan", "--phase", "mvp", "--out", str(plan)], repo, env).returncode == 0
    before = {p.name: p.read_bytes() for p in tmp_path.glob("p.*")}
    broken = repo / "environments" / "mvp" / "broken.tf"
    broken.write_text('resource "terraform_data" "x" {\n  input = var.missing\n}\n')
    failed = pvctl(["plan", "--phase", "mvp", "--out", str(plan)], repo, env)
    assert failed.returncode == 1, failed.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.glob("p.*")} == before   # the old unit, untouched
    assert not list(tmp_path.glob(".pvctl-*"))                                # no staging folder left
    broken.unlink()
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--plan", str(plan)], repo, env).returncode == 0


def test_destroy_leaves_no_plan_and_says_it_destroys_everything(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert pvctl(["apply", "--phase", "growth", "--offline", "--auto-approve"], repo, env).returncode == 0
    refused = pvctl(["destroy", "--phase", "scale", "--offline"], repo, env)
    assert refused.returncode == 3 and "nothing was destroyed" in one_line_error(refused)
    assert "whole deployment" in refused.stderr and "Applied now: phase growth" in refused.stderr
    assert "all phases share one state" in refused.stderr
    assert not list((repo / ".pvctl").rglob("*.tfplan")) and not list((repo / ".pvctl").rglob(".pvctl-*"))


def test_a_destroy_plan_is_applied_only_by_destroy(repo: Path) -> None:
    from pvctl.core.errors import GuardRefusal
    from pvctl.core.repo import RepoPaths
    from pvctl.engine import saved_plan

    paths = RepoPaths(repo)
    staged = repo / "staged.tfplan"
    staged.write_bytes(b"PK\x03\x04plan")
    meta = saved_plan.new_meta(paths, "scale", "offline", "pv-test-project", True, True, "1.15.5", staged)
    with pytest.raises(GuardRefusal, match="only `pvctl destroy` applies one"):
        saved_plan.check_applicable(meta, paths, "scale", "offline", "pv-test-project")


def test_plans_and_states_are_owner_only_whatever_the_umask(repo: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    sandbox = repo / ".pvctl" / "sandbox" / "pv-test-project"
    sandbox.mkdir(parents=True, mode=0o755)
    os.chmod(sandbox, 0o755)
    assert run(["plan", "--phase", "mvp", "--offline"], repo, env, umask=0).returncode == 0
    assert run(["apply", "--phase", "mvp", "--offline", "--plan", ".pvctl/mvp/plan.tfplan"], repo, env, umask=0).returncode == 0
    for name in ("plan.tfplan", "plan.json", "plan.meta.json"):
        assert stat.S_IMODE((repo / ".pvctl" / "mvp" / name).stat().st_mode) == 0o600, name
    for folder in (repo / ".pvctl", repo / ".pvctl" / "mvp", sandbox.parent, sandbox):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((sandbox / "terraform.tfstate").stat().st_mode) == 0o600


# --- damaged state ----------------------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [(b"", "is empty"), (b'{"version": 4, "lin', "is not valid JSON")])
def test_a_damaged_state_is_one_line_naming_it_and_its_backup(repo: Path, tmp_path: Path, content: bytes, problem: str) -> None:
    env = cli_env(tmp_path)
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env).returncode == 0
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\ntier = "db-g1-small"\n')
    assert pvctl(["apply", "--phase", "mvp", "--offline", "--auto-approve"], repo, env).returncode == 0  # leaves a .backup
    state = repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate"
    state.write_bytes(content)
    done = pvctl(["plan", "--phase", "mvp", "--offline"], repo, cli_env(tmp_path, TERM="xterm-256color"))
    assert done.returncode == 1
    line = one_line_error(done)
    assert f"state file {state} {problem}" in line and f"cp '{state}.backup' '{state}'" in line and ANSI not in done.stderr
    assert "to add" not in done.stdout   # never planned as "create everything"


def test_an_interactive_apply_applies_the_plan_it_showed(repo: Path, tmp_path: Path) -> None:
    """A `pvctl plan` run while the confirmation waits cannot change what the apply applies."""
    def plan_meanwhile_then_answer(pid: int, master: int) -> None:
        (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[phases.mvp.database]\ntier = "db-g1-small"\n')
        other = pvctl(["plan", "--phase", "mvp", "--offline"], repo, cli_env(tmp_path))
        assert other.returncode == 0, other.stderr
        (repo / "pvctl.toml").write_text(PVCTL_TOML)
        os.write(master, b"y\n")

    output, code = pty_session([sys.executable, "-m", "pvctl", "apply", "--phase", "mvp", "--offline"],
                               cli_env(tmp_path, TERM="dumb"), repo, lambda out: b"Apply these changes" in out,
                               plan_meanwhile_then_answer)
    assert code == 0, output
    state = json.loads((repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate").read_text())
    database = next(r for r in state["resources"] if r["name"] == "database")
    assert database["instances"][0]["attributes"]["input"]["value"] == "db-f1-micro"   # what was shown, not the other plan


def test_traffic_profile_values_are_checked_when_the_configuration_loads(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "infra")
    (repo / "pvctl.toml").write_text(PVCTL_TOML + '\n[usage.mvp]\ncdn_cache_hit_ratio = 1.5\n')
    done = pvctl(["config", "show"], repo, cli_env(tmp_path))
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "[usage.mvp]: cdn_cache_hit_ratio: is a ratio between 0 and 1" in one_line_error(done)


def test_private_folders_are_narrowed_only_inside_pvctls_own(tmp_path: Path) -> None:
    from pvctl.core.files import private_dir

    work = tmp_path / "repo" / ".pvctl"
    work.mkdir(parents=True)
    os.chmod(work, 0o755)
    mine = tmp_path / "shared"
    mine.mkdir()
    os.chmod(mine, 0o755)
    old = os.umask(0)
    try:
        private_dir(work / "mvp" / "plans", work)
        private_dir(mine / "new" / "deeper", work)   # a user's --out folder: only what pvctl creates is narrowed
    finally:
        os.umask(old)
    for folder in (work, work / "mvp", work / "mvp" / "plans", mine / "new", mine / "new" / "deeper"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(mine.stat().st_mode) == 0o755


def test_hcl_strings_keep_template_sequences_as_text_and_refuse_control_characters() -> None:
    from pvctl.core.errors import PvctlError
    from pvctl.core.hcl import hcl_string

    assert hcl_string('a"b\\c ${x} %{ if y }') == '"a\\"b\\\\c $${x} %%{ if y }"'
    with pytest.raises(PvctlError, match="control character"):
        hcl_string("line\nbreak")
