"""Every module's example plans offline: real Terraform, the stand-in provider, an empty state.

An example is the smallest call a newcomer copies; planning it checks that the module's inputs
(objects with optional() defaults, validations) accept it and that every resource it declares is
planned with the provider 8.7.0 schema.
"""

from __future__ import annotations

import shutil

import pytest

from tests.offline.conftest import make_workdir
from tests.terraform.hcl_facts import MODULES

EXAMPLES = sorted(MODULES.glob("*/examples/*/main.tf"))
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "*.tfplan")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parents[2].name}/{p.parent.name}")
def test_the_example_plans_offline(tmp_path, example) -> None:
    # Each test its own copy of modules/ (a few hundred kB): the examples plan on whichever worker is free.
    shutil.copytree(MODULES, tmp_path / "modules", ignore=_SKIP)
    folder = tmp_path / example.parent.relative_to(MODULES.parent)
    wd = make_workdir(tmp_path, None, extra_env={"TF_VAR_db_admin_password": "example-only-Password-123"})
    wd = wd.at(folder)
    wd.tf("init", "-input=false", "-backend=false")
    plan = wd.plan_json()
    changes = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed"]
    module = example.parents[2].name
    assert changes, f"{module}: the example plans nothing"
    assert {tuple(rc["change"]["actions"]) for rc in changes} == {("create",)}, module


def test_every_module_has_exactly_one_planned_example() -> None:
    assert sorted(p.parents[2].name for p in EXAMPLES) == sorted(p.name for p in MODULES.iterdir() if p.is_dir())
