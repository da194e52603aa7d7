"""`pvctl ci --base REF` prices the base branch with the base commit's own phases.toml."""

import json
import subprocess
from pathlib import Path

import pytest

from pvctl.ci.base import PHASES_TOML, base_phases_file, extract_base
from pvctl.ci.costing import phase_cost
from pvctl.core.config import load_config
from pvctl.core.errors import ConfigError
from pvctl.core.phases import get_phase, load_phases, phase_names
from pvctl.cost.usage import load_usage

from .conftest import REPO, phases_toml

PACKAGED = (REPO / PHASES_TOML).read_text()
MVP_PLAN = json.loads((REPO / "tests" / "cost" / "fixtures" / "mvp.plan.json").read_text())


# mvp with far more traffic and another API size than the packaged file gives it.
BUSY = phases_toml(usage_requests_per_month="30000000", api_cpu='"7"')


@pytest.fixture
def busy_phases(tmp_path: Path) -> Path:
    path = tmp_path / "phases.toml"
    path.write_text(BUSY)
    return path


def test_phases_load_from_a_given_file(busy_phases):
    assert get_phase("mvp", busy_phases).usage["requests_per_month"] == 30_000_000
    assert load_phases(busy_phases)["mvp"].tables["api"]["cpu"] == "7"
    assert get_phase("mvp").usage["requests_per_month"] < 30_000_000        # the packaged file stays the default
    assert list(load_phases(busy_phases)) == phase_names()
    with pytest.raises(ConfigError, match="cannot read the phase defaults"):
        load_phases(busy_phases.with_name("missing.toml"))


def test_a_config_with_a_phases_file_renders_that_files_defaults(busy_phases, tmp_path):
    import dataclasses

    from pvctl.core.config import load_config
    from pvctl.core.render import phase_inputs

    for folder in ("environments", "modules"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pvctl.toml").write_text(
        '[project]\nid = "pv-test-123"\ndomain = "app.example.com"\n'
        '[images]\napi = "southamerica-east1-docker.pkg.dev/pv-test-123/app/api:1.0.0"\n'
    )
    config = load_config(repo_root=tmp_path, env={})
    packaged = phase_inputs(config, "mvp")["api"]["cpu"]
    assert phase_inputs(dataclasses.replace(config, phases_file=busy_phases), "mvp")["api"]["cpu"] == "7" != packaged
    assert get_phase("mvp").tables["api"]["cpu"] == packaged                 # nothing else changed


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_the_base_commits_phases_toml_is_extracted(tmp_path):
    root = tmp_path / "repo"
    (root / "environments" / "mvp").mkdir(parents=True)
    (root / "environments" / "mvp" / "main.tf").write_text("# base\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "no phases.toml yet")
    assert base_phases_file(extract_base(root, "HEAD")) is None             # then the current one stands in

    phases = root / PHASES_TOML
    phases.parent.mkdir(parents=True, exist_ok=True)
    phases.write_text(BUSY)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base phases")
    phases.write_text(PACKAGED)                                             # the branch under review changes it
    base = base_phases_file(extract_base(root, "HEAD"))
    assert base is not None and base.read_text() == BUSY
    assert get_phase("mvp", base).usage["requests_per_month"] == 30_000_000


def _unchanged(plan: dict) -> dict:
    """The plan made again once it is applied: every resource the same on both sides."""
    import copy

    again = copy.deepcopy(plan)
    for rc in again["resource_changes"]:
        rc["change"]["before"] = rc["change"]["after"]
        rc["change"]["actions"] = ["no-op"]
    return again


def test_the_base_cost_uses_the_base_usage_profile(busy_phases):
    config = load_config(repo_root=REPO, config_path=REPO / "pvctl.example.toml", env={})
    applied = _unchanged(MVP_PLAN)
    same = phase_cost(config, "mvp", applied, "base main")
    assert same.delta == 0 and same.baseline_label == "base main (mvp traffic)" and same.resources == ()
    busy = phase_cost(config, "mvp", applied, "base main", busy_phases)
    assert busy.monthly == same.monthly and busy.baseline > same.baseline  # the base's traffic, not this branch's
    assert busy.resources and all(r.delta < 0 for r in busy.resources if r.resource != "(billing account)")
    assert load_usage("mvp", phases_file=busy_phases).requests_per_month == 30_000_000


def test_per_resource_cost_from_both_sides_of_one_plan():
    config = load_config(repo_root=REPO, config_path=REPO / "pvctl.example.toml", env={})
    fresh = phase_cost(config, "mvp", MVP_PLAN, "the sandbox state")          # everything created
    assert fresh.baseline == 0 and fresh.monthly > 0
    assert sum(r.delta for r in fresh.resources) == fresh.delta
    assert all(r.before == 0 and r.percent is None for r in fresh.resources)
