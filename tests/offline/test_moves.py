"""A state written by the per-phase roots (before the one composition) plans with moves only.

For each phase, a sandbox state is applied offline with the layout of commit OLD_LAYOUT (its
environments/<phase>/ roots and their modules, taken with `git archive`), then the same state is
planned with this tree. The plan may move resources (the `moved` blocks of environments/moved.tf
and of the modules) and must destroy or replace nothing. What this tree adds to a phase is created
(dashboards, SLOs, burn-rate alerts, the disaster-recovery replica); the only resources it may
update are the alert policies, whose thresholds and windows now follow the SLO data.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.offline.test_inventories import PHASES, PVCTL_TOML, REPO, copy_repo

OLD_LAYOUT = "b436f77"  # the last commit with one root module per phase
PROJECT = "pv-inventory-test"
# Modules only some phases have: they gained a count, and states from before hold them unindexed.
OPTIONAL_MODULES = ("redis", "bff", "webhooks", "monitoring")
# Resources a module renamed with its own moved block (module-relative addresses).
MODULE_MOVES = {"google_monitoring_alert_policy.cpu": 'google_monitoring_alert_policy.utilization["cpu"]'}
# The only existing resources the plan may update in place.
UPDATABLE = re.compile(r"^module\.monitoring\[0\]\.google_monitoring_alert_policy\.")


def _old_tree(dest: Path) -> Path:
    trees = ("environments", "modules", "templates")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", OLD_LAYOUT, *trees],
                             capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"commit {OLD_LAYOUT} is not in this clone ({archive.stderr.decode().strip()})")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    shutil.copy(REPO / ".terraform-version", dest / ".terraform-version")
    (dest / "pvctl.toml").write_text(PVCTL_TOML)
    return dest


def _run(args: list[str], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = pvctl(args, repo, env, timeout=900)
    assert done.returncode == 0, f"pvctl {' '.join(args)} in {repo.name}: exit {done.returncode}\n{done.stderr[-4000:]}"
    return done


def _state_addresses(state: dict) -> set[str]:
    found = set()
    for r in state["resources"]:
        if r["mode"] != "managed":
            continue
        base = f"{r['module']}.{r['type']}.{r['name']}" if r.get("module") else f"{r['type']}.{r['name']}"
        for instance in r["instances"]:
            key = instance.get("index_key")
            found.add(base + ("" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')))
    return found


def _moved(address: str) -> str:
    """Where this tree's moved blocks put an address of the old layout."""
    address = re.sub(rf"^module\.({'|'.join(OPTIONAL_MODULES)})\.", r"module.\1[0].", address)
    module, _, resource = address.rpartition(".google_")
    renamed = MODULE_MOVES.get("google_" + resource)
    return f"{module}.{renamed}" if module and renamed else address


@pytest.fixture(scope="module", params=PHASES)
def replan(request, tmp_path_factory) -> tuple[str, set[str], dict]:
    phase = request.param
    tmp = tmp_path_factory.mktemp(f"moves-{phase}")
    old, new = _old_tree(tmp / "old"), copy_repo(tmp / "new")
    env = cli_env(tmp)
    _run(["plan", "--phase", phase, "--offline", "--out", str(tmp / "old.tfplan")], old, env)
    _run(["apply", "--phase", phase, "--offline", "--plan", str(tmp / "old.tfplan")], old, env)
    state = old / ".pvctl" / "sandbox" / PROJECT / "terraform.tfstate"
    (new / ".pvctl" / "sandbox" / PROJECT).mkdir(parents=True)
    shutil.copy(state, new / ".pvctl" / "sandbox" / PROJECT / "terraform.tfstate")
    _run(["plan", "--phase", phase, "--offline", "--json", "--out", str(tmp / "new.tfplan")], new, env)
    plan = json.loads((tmp / "new.json").read_text())
    return phase, _state_addresses(json.loads(state.read_text())), plan


def test_the_old_state_plans_with_no_destruction(replan) -> None:
    phase, old_addresses, plan = replan
    existing = {_moved(a) for a in old_addresses}
    changed = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]
               if rc["mode"] == "managed" and rc["change"]["actions"] != ["no-op"]}
    created = {a for a, act in changed.items() if act == ["create"]}
    assert not created & existing, f"{phase}: recreates {sorted(created & existing)}"
    updated = {a: act for a, act in changed.items() if a not in created}
    assert all(act == ["update"] and UPDATABLE.match(a) for a, act in updated.items()), f"{phase}: changes {updated}"


def test_every_old_address_is_kept_or_moved(replan) -> None:
    phase, old_addresses, plan = replan
    managed = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed"]
    moves = {rc["previous_address"]: rc["address"] for rc in managed if rc.get("previous_address")}
    assert {a: _moved(a) for a in old_addresses if _moved(a) != a} == moves, phase
    kept = {rc["address"] for rc in managed if rc["change"]["actions"] != ["create"]}
    assert {moves.get(a, a) for a in old_addresses} == kept, phase
    if phase != "mvp":  # mvp has none of the optional modules: nothing to move
        assert moves, f"{phase}: expected moves of {OPTIONAL_MODULES}"
