"""The offline plan of each phase from an empty sandbox state, made once per test run.

Several test files read what `pvctl plan --phase P --offline --json` plans for a phase of this
repository with the inventories' pvctl.toml (inventories, prices, dashboards): one plan per phase
serves them all. Each phase is planned in its own copy of the repository by whichever xdist worker
asks first, under a file lock; the others read the plan JSON it left.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.offline.test_inventories import copy_repo


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run sees (the run's base temporary folder holds one per worker)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "default-plans"
    folder.mkdir(exist_ok=True)
    return folder


def plan_once(folder: Path, phase: str) -> dict[str, Any]:
    done_file = folder / f"{phase}.json"
    with open(folder / f"{phase}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this worker fails
        if not done_file.exists():
            work = folder / phase
            shutil.rmtree(work, ignore_errors=True)  # left by a worker whose plan failed
            repo = copy_repo(work / "repo")
            done = pvctl(["plan", "--phase", phase, "--offline", "--json"], repo, cli_env(work), timeout=600)
            assert done.returncode == 0, f"pvctl plan --phase {phase} exited {done.returncode}\n{done.stderr[-3000:]}"
            plan_file = Path(json.loads(done.stdout)["plan_file"])
            shutil.copy(plan_file.with_suffix(".json"), done_file.with_suffix(".partial"))
            done_file.with_suffix(".partial").rename(done_file)
    return json.loads(done_file.read_text())


def default_plans(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, Any]]:
    folder = shared_folder(tmp_path_factory)
    plans: dict[str, dict[str, Any]] = {}

    def plan(phase: str) -> dict[str, Any]:
        if phase not in plans:
            plans[phase] = plan_once(folder, phase)
        return plans[phase]

    return plan
