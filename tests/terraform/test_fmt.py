"""terraform fmt (the bundled engine) has nothing to change."""

from __future__ import annotations

from pvctl.engine.terraform import TerraformRunner, find_terraform
from tests.terraform.hcl_facts import REPO


def test_fmt_check_finds_nothing():
    runner = TerraformRunner(find_terraform())
    result = runner.run(["fmt", "-check", "-recursive", "-list=true", "modules", "environments"], cwd=REPO)
    assert result.returncode == 0, f"unformatted:\n{result.stdout}{result.stderr}"
    assert result.stdout.strip() == ""
