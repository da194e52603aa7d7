"""`terraform validate` of every module and of the composition against the provider 8.7.0 schema, offline.

Runs the bundled Terraform with pvctl's stand-in hashicorp/google provider on a copy of
modules/ and environments/ (init writes lock files and .terraform; the repo stays clean).
"""

from __future__ import annotations

import shutil

import pytest

from pvctl.engine.terraform import TerraformRunner, find_terraform
from tests.terraform.hcl_facts import ENVIRONMENTS, MODULES, REPO

wiring = pytest.importorskip("pvctl.offline.wiring", reason="the offline stand-in provider is not built yet")

FOLDERS = [f"modules/{p.name}" for p in sorted(MODULES.iterdir()) if p.is_dir()] + ["environments"]
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "pvctl_override.tf")


@pytest.fixture
def workspace(tmp_path):
    # Each test its own copy (a few hundred kB): the folders validate on whichever worker is free.
    root = tmp_path
    shutil.copytree(MODULES, root / "modules", ignore=_SKIP)
    shutil.copytree(ENVIRONMENTS, root / "environments", ignore=_SKIP)
    runner = TerraformRunner(
        find_terraform(),
        cli_config_file=wiring.offline_cli_config(REPO),
        plugin_cache_dir=root / "plugin-cache",
    )
    return root, runner


@pytest.mark.parametrize("folder", FOLDERS)
def test_validate(workspace, folder):
    root, runner = workspace
    cwd = root / folder
    init = runner.run(["init", "-backend=false", "-input=false", "-no-color"], cwd=cwd)
    assert init.returncode == 0, init.stdout + init.stderr
    result = runner.run(["validate", "-no-color"], cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
