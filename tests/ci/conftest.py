import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PVCTL = Path(sys.executable).parent / "pvctl"

# A phase root that plans with Terraform's built-in provider only: the orchestration,
# guards, policies and report run for real without the google provider.
ENVIRONMENT = """terraform {
  backend "gcs" {}
}

variable "api" {
  type = any
}

resource "terraform_data" "database" {
  triggers_replace = [var.api.cpu]
}

output "phase" {
  value = "PHASE"
}
"""


def phases_toml(**mvp: str) -> str:
    """The packaged phases.toml with keys of mvp's tables set anew: ``api_cpu='"4"'``, ``usage_requests_per_month="1"``."""
    text = (REPO / "environments" / "phases.toml").read_text()
    for name, value in mvp.items():
        table, key = name.split("_", 1)
        text, found = re.subn(rf"(^\[mvp\.{table}\]\n(?:(?!\[).*\n)*?{key} = )[^\n#]*", rf"\g<1>{value} ", text, count=1, flags=re.M)
        assert found, f"phases.toml has no [mvp.{table}] {key}"
    return text


@pytest.fixture(scope="session")
def checkov_executable() -> str:
    from pvctl.policy.toolenv import ensure_checkov

    return str(ensure_checkov(REPO).executable)


@pytest.fixture
def mini_repo(tmp_path: Path) -> Path:
    """A repository with the project's templates and policies and three tiny phases."""
    root = tmp_path / "repo"
    for folder in ("templates", "policies"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "pvctl.example.toml", root / "pvctl.example.toml")
    config = (REPO / "pvctl.example.toml").read_text()
    config = config.replace("# [guards]", "[guards]").replace(
        '# extra_stateful_types = ["google_storage_bucket"]', 'extra_stateful_types = ["terraform_data"]'
    )
    (root / "pvctl.toml").write_text(config)
    (root / "modules" / "demo").mkdir(parents=True)
    (root / "modules" / "demo" / "main.tf").write_text('resource "terraform_data" "demo" {\n  input = "x"\n}\n')
    for phase in ("mvp", "growth", "scale"):
        (root / "environments" / phase).mkdir(parents=True)
        (root / "environments" / phase / "main.tf").write_text(ENVIRONMENT.replace("PHASE", phase))
    return root


@pytest.fixture
def pvctl(mini_repo: Path, checkov_executable: str):
    """pvctl in this process (tests/cli's runner); test_ci_repo.py runs the real executable."""
    from tests.cli.conftest import pvctl as in_process

    def run(*args: str, keep_helpers: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, PVCTL_CHECKOV=checkov_executable, COLUMNS="200")
        env.pop("PVCTL_REPO", None)
        return in_process([*args, "--repo", str(mini_repo)], Path.cwd(), env, keep_helpers=keep_helpers)

    return run
