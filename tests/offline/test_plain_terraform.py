"""Plain Terraform plans the composition with a tfvars file pvctl rendered: no pvctl at plan time.

`pvctl render --phase P` writes the inputs; then Terraform alone (the bundled engine, the
stand-in provider instead of the registry, a local backend instead of the gcs one) plans
environments/ with `-var-file`. The phase the plan applies comes from that file.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import cli_env, pvctl
from tests.offline.conftest import make_workdir
from tests.offline.test_inventories import PHASES, copy_repo


@pytest.mark.parametrize("phase", PHASES)
def test_terraform_plans_a_rendered_phase(tmp_path, phase: str) -> None:
    repo = copy_repo(tmp_path / "repo")
    done = pvctl(["render", "--phase", phase], repo, cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    tfvars = repo / ".pvctl" / phase / "terraform.tfvars.json"
    (repo / "environments" / "pvctl_override.tf").unlink(missing_ok=True)
    wd = make_workdir(tmp_path, None, extra_env={"TF_VAR_db_admin_password": "plain-terraform-Password-1"}, plain=True)
    wd = wd.at(repo / "environments")
    wd.write("local_override.tf", 'terraform {\n  backend "local" {}\n}\n')   # instead of the gcs backend
    wd.tf("init", "-input=false")
    plan = wd.plan_json(f"-var-file={tfvars}")
    assert plan["variables"]["phase"]["value"] == phase
    assert json.loads(tfvars.read_text())["phase_order"] == plan["variables"]["phase_order"]["value"]
    managed = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed"]
    assert managed and {tuple(rc["change"]["actions"]) for rc in managed} == {("create",)}
