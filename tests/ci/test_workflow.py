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
def all_steps(workflow) -> list[dict]:
    return [s for job in workflow["jobs"].values() for s in job["steps"]]


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


def test_path_filter_covers_what_the_plans_read(workflow):
    from pvctl.ci.base import PHASES_TOML, TREES

    paths = workflow.get("on", workflow.get(True))["pull_request"]["paths"]
    for tree in (*TREES, "policies", "cli/pvctl/app.py", "pyproject.toml", ".terraform-version", ".github/workflows/pr-plan.yml"):
        assert any(p == tree or (p.endswith("/**") and f"{tree}/".startswith(p[:-2])) for p in paths), tree
    # Named on their own: the files a reviewer would not guess change the plans.
    assert "pvctl.example.toml" in paths and PHASES_TOML in paths


def test_least_privilege_per_job(workflow):
    assert workflow["permissions"] == {}
    plan, comment = workflow["jobs"]["plan"], workflow["jobs"]["comment"]
    # The job running the pull request's code cannot write to the repository or the pull request.
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    assert comment["permissions"] == {"pull-requests": "write"}
    assert not any(s.get("uses", "").startswith("actions/checkout@") for s in comment["steps"])
    assert comment["needs"] == "plan"


def test_actions_are_pinned_by_commit_with_the_release_in_a_comment(all_steps):
    lines = [line for line in WORKFLOW.read_text().splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert len(lines) == len([s for s in all_steps if "uses" in s]) > 0
    for line in lines:
        assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_checkout_keeps_no_credentials_and_every_step_has_a_timeout(workflow, all_steps):
    for s in all_steps:
        if s.get("uses", "").startswith("actions/checkout@"):
            assert s["with"]["persist-credentials"] is False
        assert 0 < s["timeout-minutes"] <= 30, s.get("name") or s.get("uses")
    assert all(0 < job["timeout-minutes"] <= 60 for job in workflow["jobs"].values())


def test_terraform_plugin_cache(steps):
    from pvctl.core.repo import RepoPaths

    caches = [s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert str(RepoPaths(REPO).plugin_cache.relative_to(REPO)) in caches


def test_a_crash_replaces_the_stale_comment(workflow):
    comment = workflow["jobs"]["comment"]
    # It runs whatever the plan job's result, and writes a failure comment when no report came.
    assert "!cancelled()" in comment["if"] and "always()" not in comment["if"]
    download = next(s for s in comment["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["continue-on-error"] is True
    script = next(s for s in comment["steps"] if s.get("uses", "").startswith("actions/github-script@"))["with"]["script"]
    assert "stopped before writing its report" in script and "updateComment" in script and "createComment" in script


def test_zizmor_finds_nothing():
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run([str(zizmor), "--offline", "--persona", "pedantic", "--format", "plain", str(WORKFLOW)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


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


def test_no_terraform_wrapper_and_artifacts_and_sticky_comment(steps, all_steps):
    uses = [s.get("uses", "") for s in all_steps]
    assert not any(u.startswith("hashicorp/setup-terraform") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    for name in ("plan-*.json", "report.md", "comment.md"):
        assert f".pvctl/ci/{name}" in upload["with"]["path"]
    comment = next(s for s in all_steps if s.get("uses", "").startswith("actions/github-script@"))
    from pvctl.ci.report import MARKER

    assert MARKER in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]


def test_ci_step_compares_with_the_base_branch(steps):
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    ci = next(line for line in _run_lines(steps) if line.startswith("pvctl ci"))
    assert "--base" in ci and "--out-dir .pvctl/ci" in ci
    assert "--phases" not in ci   # every phase; live, the applied phase decides which are planned
