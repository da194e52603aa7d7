"""The scans of a pvctl run share one checkov process (each in a fork of it) and report exactly what
checkov run on its own reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pvctl.policy import checkov_forks
from pvctl.policy.checkov import scan_directories, scan_plan
from pvctl.policy.toolenv import ensure_checkov

HERE = Path(__file__).parent


@pytest.fixture
def repo(repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose code fails a policy and skips another, and a plan whose HCL skips one."""
    # This checkout's checkov rather than an install of its own (a minute).
    monkeypatch.setenv("PVCTL_CHECKOV", str(ensure_checkov(repo_root).executable))
    shutil.copytree(repo_root / "policies", tmp_path / "policies")
    shutil.copytree(HERE / "fixtures" / "cloud_run_api_invoker" / "fail", tmp_path / "modules" / "failing")
    shutil.copytree(HERE / "skips" / "with_reason", tmp_path / "modules" / "skipping")
    shutil.copy(HERE / "plans" / "scale_public_api.json", tmp_path / "plan.json")
    (tmp_path / "main.tf").write_text(
        'resource "google_cloud_run_v2_service_iam_member" "public" {\n'
        "  # checkov:skip=PV_GCP_2:the demo API is public on purpose\n"
        '  name   = "pv-api"\n  role   = "roles/run.invoker"\n  member = "allUsers"\n}\n')
    return tmp_path


def _scans(repo: Path) -> list[dict]:
    """A plan scan (its environment: EVAL_TF_PLAN_AFTER_UNKNOWN), then a code scan."""
    return [scan_plan(repo, repo / "plan.json").as_json(), scan_directories(repo, [repo / "modules"]).as_json()]


def test_scans_in_forks_report_what_checkov_on_its_own_reports(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkov_forks.close_all()
    in_forks = [*_scans(repo), scan_plan(repo, repo / "plan.json").as_json()]  # the plan again, after the code
    assert [forks.proc.poll() for forks in checkov_forks._RUN.values()] == [None]  # one process ran them all
    checkov_forks.close_all()

    monkeypatch.setattr(checkov_forks, "python_of", lambda _executable: None)  # each scan its own checkov
    alone = _scans(repo)
    assert checkov_forks._RUN == {}
    assert in_forks == [*alone, alone[0]]
    plan, code = alone[0], alone[1]
    assert [f["check_id"] for f in plan["skipped"]] == ["PV_GCP_2"] and not plan["parsing_errors"]
    assert code["failed"] and code["skipped"] and not code["parsing_errors"]


def test_a_checkov_pip_did_not_install_runs_on_its_own(repo_root: Path, tmp_path: Path) -> None:
    installed = ensure_checkov(repo_root).executable
    assert checkov_forks.python_of(installed) == installed.parent / "python"
    wrapper = tmp_path / "checkov"
    wrapper.write_text(f'#!/bin/sh\nexec {installed} "$@"\n')
    assert checkov_forks.python_of(wrapper) is None
    assert checkov_forks.forks_for(wrapper, {}) is None
