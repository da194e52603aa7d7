"""The pull-request workflow and the pre-commit hooks: valid YAML, and every command they run exists."""

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "pr-plan.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
PVCTL = Path(sys.executable).parent / "pvctl"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def steps(workflow) -> list[dict]:
    return workflow["jobs"]["plan"]["steps"]


@pytest.fixture(scope="module")
def pvctl_commands() -> set[str]:
    done = subprocess.run([str(PVCTL), "--help"], capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""})
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("Commands:")[1]
    return set(re.findall(r"^[│ ]*([a-z][a-z-]*)\s", section, re.M))


def _run_lines(steps) -> list[str]:
    return [line.strip() for s in steps if "run" in s for line in s["run"].splitlines() if line.strip()]


def test_triggers_on_pull_requests(workflow):
    # PyYAML reads the bare key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    assert workflow["permissions"]["id-token"] == "write"


def test_every_pvctl_subcommand_exists(steps, pvctl_commands):
    hooks = [h["entry"] for r in yaml.safe_load(PRE_COMMIT.read_text())["repos"] for h in r["hooks"]]
    used = [shlex.split(line)[1] for line in _run_lines(steps) + hooks if line.startswith("pvctl ")]
    assert used, "the workflow runs no pvctl command"
    assert set(used) <= pvctl_commands


def test_every_script_and_module_exists(steps):
    for line in _run_lines(steps):
        words = shlex.split(line) if not line.startswith(("if ", "fi")) else []
        for i, word in enumerate(words):
            if word == "-m" and i + 1 < len(words) and words[i + 1] != "pip":
                assert importlib.util.find_spec(words[i + 1]) is not None, words[i + 1]
            elif word.endswith((".py", ".sh")):
                assert (REPO / word).is_file(), word


def test_wif_only_when_configured_and_not_from_a_fork(steps):
    auth = next(s for s in steps if s.get("uses", "").startswith("google-github-actions/auth@"))
    assert set(auth["with"]) == {"workload_identity_provider", "service_account"}
    assert all(v.startswith("${{ vars.") for v in auth["with"].values())
    for needed in ("vars.GCP_WORKLOAD_IDENTITY_PROVIDER != ''", "vars.GCP_SERVICE_ACCOUNT != ''",
                   "github.event.pull_request.head.repo.full_name == github.repository"):
        assert needed in auth["if"]
    assert "credentials_json" not in WORKFLOW.read_text()


def test_no_terraform_wrapper_and_artifacts_and_sticky_comment(steps):
    uses = [s.get("uses", "") for s in steps]
    assert not any(u.startswith("hashicorp/setup-terraform") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert ".pvctl/ci/plan-*.json" in upload["with"]["path"] and ".pvctl/ci/report.md" in upload["with"]["path"]
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    from pvctl.ci.report import MARKER

    assert MARKER in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]


def test_ci_step_compares_with_the_base_branch(steps):
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    ci = next(line for line in _run_lines(steps) if line.startswith("pvctl ci"))
    assert "--base" in ci and "--out-dir .pvctl/ci" in ci
