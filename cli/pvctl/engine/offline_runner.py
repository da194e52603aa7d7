"""Terraform wired to the offline stand-in provider: what every offline run of pvctl (a phase's plan
and apply, `pvctl validate` of a module) runs Terraform with."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pvctl.engine.terraform import TerraformRunner, find_terraform


def offline_runner(repo_root: Path, root: Path, data_dir: Path, *, state: Path | None = None, terraform: str | None = None,
                   extra_env: Mapping[str, str] | None = None, plugin_cache_dir: Path | None = None) -> TerraformRunner:
    """A runner for Terraform commands in `root` (its state file `state`, if any; its TF_DATA_DIR
    `data_dir`): the repository's CLI configuration naming the stand-in (dev_overrides), the run's one
    stand-in server, started now so that it gets ready meanwhile (commands reattach to it), and the
    offline environment (`offline_terraform_env`) under `extra_env`."""
    from pvctl.offline.server import server_for
    from pvctl.offline.wiring import offline_cli_config, offline_terraform_env

    return TerraformRunner(
        find_terraform(terraform, repo_root), cli_config_file=offline_cli_config(repo_root), data_dir=data_dir,
        plugin_cache_dir=plugin_cache_dir, extra_env={**offline_terraform_env(), **(extra_env or {})},
        provider_env=server_for(repo_root, root, state, data_dir),
    )
