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
    assert [forks.proc.poll() for forks in checkov_forks._running.values()] == [None]  # one process ran them all
    checkov_forks.close_all()

    monkeypatch.setattr(checkov_forks, "python_of", lambda _executable: None)  # each scan its own checkov
    alone = _scans(repo)
    assert list(checkov_forks._running.values()) == [None]
    assert in_forks == [*alone, alone[0]]
    plan, code = alone[0], alone[1]
    assert [f["check_id"] for f in plan["skipped"]] == ["PV_GCP_2"] and not plan["parsing_errors"]
    assert code["failed"] and code["skipped"] and not code["parsing_errors"]


def test_a_checkov_pip_did_not_install_runs_on_its_own(repo_root: Path, tmp_path: Path) -> None:
    installed = ensure_checkov(repo_root).executable
    assert checkov_forks.python_of(installed) == installed.parent / "python"
    shell = tmp_path / "checkov"
    shell.write_text(f'#!/bin/sh\nexec {installed} "$@"\n')
    # A wrapper in checkov's own Python that adds an option: it must run, so no fork of checkov does.
    python = tmp_path / "checkov-wrapper"
    python.write_text(f"#!{installed.parent / 'python'}\nimport os, sys\n"
                      f"os.execv({str(installed)!r}, [{str(installed)!r}, *sys.argv[1:], '--skip-check', 'CKV_GCP_73'])\n")
    for wrapper in (shell, python):
        assert checkov_forks.python_of(wrapper) is None
        assert checkov_forks.forks_for(wrapper, {}) is None


def test_a_checkov_process_that_cannot_start_leaves_each_scan_to_checkov_itself(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checkov process cannot import checkov: the scans still run, checkov once each."""
    import sys

    # pvctl's own Python has no checkov: the process ends at its import; each scan then runs checkov.
    monkeypatch.setattr(checkov_forks, "python_of", lambda _executable: Path(sys.executable))
    checkov_forks.close_all()
    first = scan_directories(repo, [repo / "modules"])
    assert list(checkov_forks._running.values()) == [None]  # tried once, then left alone for the run
    assert scan_directories(repo, [repo / "modules"]).as_json() == first.as_json()
    checkov_forks.close_all()
    assert first.failed


def test_a_killed_pvctl_leaves_no_checkov_behind(repo: Path, tmp_path: Path) -> None:
    """pvctl killed (SIGKILL) while its scan runs: the checkov process sees its input end, stops the
    scan nobody will read and removes the scans' folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("import sys; from pathlib import Path; from pvctl.policy.checkov import scan_directories\n"
              "repo = Path(sys.argv[1]); scan_directories(repo, [repo / 'modules'], lambda m: print(m, flush=True))\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    pvctl = subprocess.Popen([sys.executable, "-c", script, str(repo)], env=env, stdout=subprocess.PIPE, text=True)
    assert pvctl.stdout is not None and "checkov: scanning" in pvctl.stdout.readline()
    deadline = time.monotonic() + 60
    while not (children := [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == pvctl.pid]):
        assert time.monotonic() < deadline, "pvctl started no checkov process"
        time.sleep(0.05)
    server = children[0]
    while not [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == int(server.name)]:  # its scan runs
        assert time.monotonic() < deadline, "the checkov process started no scan"
        time.sleep(0.05)
    pvctl.send_signal(signal.SIGKILL)
    pvctl.wait()
    while server.exists() and _parent(server) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.exists() or _parent(server) is None, "the checkov process outlived pvctl"
    while list(tmp_path.glob("pvctl-checkov-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob("pvctl-checkov-*")) == []


def _parent(proc: Path) -> int | None:
    """The parent pid of a live process, None once it has ended (or is a zombie)."""
    try:
        status = (proc / "status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    return None if fields.get("State", "").startswith("Z") else int(fields["PPid"])


def test_output_as_checkov_starts_does_not_confuse_pvctl(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sitecustomize (or anything checkov's Python runs as it starts) printing to stdout: the scans'
    answers still come through, and the findings are checkov's."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text('print("site banner", flush=True)\nprint("{\\"id\\": 0}", flush=True)\n')
    checkov_forks.close_all()
    expected = scan_directories(repo, [repo / "modules"]).as_json()
    checkov_forks.close_all()
    monkeypatch.setenv("PYTHONPATH", str(site))
    assert scan_directories(repo, [repo / "modules"]).as_json() == expected
    assert [forks is not None and forks.proc.poll() is None for forks in checkov_forks._running.values()] == [True]
    checkov_forks.close_all()
