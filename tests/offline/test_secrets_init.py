"""`pvctl secrets init`: the first deployment's targeted apply creates only the APIs and the secret containers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import cli_env, pvctl
from tests.offline.test_inventories import copy_repo


def test_secrets_init_creates_only_services_and_secret_containers(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "infra")
    env = cli_env(tmp_path)

    unattended = pvctl(["secrets", "init", "--phase", "mvp", "--offline"], repo, env)
    assert unattended.returncode == 3 and "--auto-approve" in unattended.stderr

    done = pvctl(["secrets", "init", "--phase", "mvp", "--offline", "--auto-approve"], repo, env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pvctl secrets set NAME" in done.stderr
    (state_file,) = (repo / ".pvctl" / "sandbox").glob("*/terraform.tfstate")
    resources = json.loads(state_file.read_text())["resources"]
    assert {r["module"] for r in resources} == {"module.services", "module.secrets"}
    secrets = [i["index_key"] for r in resources if r["type"] == "google_secret_manager_secret" for i in r["instances"]]
    assert sorted(secrets) == ["crm-api-token", "db-admin-password", "oauth-client-secret", "session-signing-key", "whatsapp-token"]

    # The full apply afterwards adds the rest and leaves the containers alone.
    full = pvctl(["plan", "--phase", "mvp", "--offline", "--json"], repo, env)
    assert full.returncode == 0, full.stderr[-2000:]
    touched = {r["address"] for r in json.loads(full.stdout)["resources"]}
    assert not any(a.startswith(("module.secrets.", "module.services.")) for a in touched)
