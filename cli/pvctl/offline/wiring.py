"""Point Terraform at the offline stand-in instead of the registry's hashicorp/google.

Everything lives under `<repo>/.pvctl/offline/`: an executable `terraform-provider-google`
(a shell script running this Python with `-m pvctl.offline.provider`) and a Terraform CLI
configuration with a `dev_overrides` entry for registry.terraform.io/hashicorp/google.
pvctl sets TF_CLI_CONFIG_FILE to that file for offline runs; ~/.terraformrc is never read
or written.

Why dev_overrides rather than a filesystem mirror: a mirror makes `terraform init` record
the stand-in's checksum in the module's `.terraform.lock.hcl`, the file committed for the
real provider, and refuse to install it where a lock file already pins the real
provider's checksums. With dev_overrides Terraform runs the stand-in for google without
installing anything and leaves the lock file alone; init and plan print a warning that
overrides are in effect, which is true.

This is what a plain `terraform` run uses. pvctl's own runs add a reattached server on top
(`pvctl.offline.server`), which takes precedence over dev_overrides; init still installs
nothing for google either way.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from pvctl.core.files import write_atomic
from pvctl.offline.derived import ENV_CACHE_DIR
from pvctl.offline.schema import PROVIDER_ADDRESS, PROVIDER_VERSION

OFFLINE_DIR = Path(".pvctl") / "offline"
PLUGIN_NAME = "terraform-provider-google"
CLI_CONFIG_NAME = "terraformrc"
OFFLINE_GOGC = "400"


def offline_terraform_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """What an offline Terraform command adds to its environment: Go's collector setting, unless the
    user set one. Terraform is short-lived there, and google, the provider whose process would be
    the largest, is this Python stand-in (small built-in ones such as random inherit it too):
    collecting at 5x the live heap instead of 2x cuts ~25% of a plan's CPU for ~35% more peak
    memory (a scale plan: 136 -> 182 MB). Live runs keep Go's default: the real google provider,
    a Go process holding a large schema, would inherit it."""
    return {} if "GOGC" in environ else {"GOGC": OFFLINE_GOGC}


def offline_dir(repo_root: Path) -> Path:
    return Path(repo_root).resolve() / OFFLINE_DIR


def _write_if_changed(path: Path, text: str, mode: int) -> None:
    # `pvctl ci` wires several phases at once while other pvctl processes may run Terraform with it.
    if not path.exists() or path.read_text() != text:
        write_atomic(path, text, mode)


def _hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{") + '"'


def provider_command(repo_root: Path) -> tuple[list[str], str, Path]:
    """How the stand-in runs: the command, the folder to put first on PYTHONPATH (the one holding
    this `pvctl` package) and its cache folder (ENV_CACHE_DIR)."""
    return [sys.executable, "-m", "pvctl.offline.provider"], str(Path(__file__).resolve().parents[2]), offline_dir(repo_root) / "cache"


def install_plugin(repo_root: Path) -> Path:
    """Write the plugin launcher; returns the folder that dev_overrides points at."""
    plugin_dir = offline_dir(repo_root) / "plugin"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    command, package_root, cache = provider_command(repo_root)
    script = (
        "#!/bin/sh\n"
        "# Written by pvctl: Terraform starts this as hashicorp/google in offline mode.\n"
        f"{ENV_CACHE_DIR}={shlex.quote(str(cache))}\n"
        f"export {ENV_CACHE_DIR}\n"
        f"PYTHONPATH={shlex.quote(package_root)}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f"exec {shlex.join(command)} \"$@\"\n"
    )
    _write_if_changed(plugin_dir / PLUGIN_NAME, script, 0o755)
    return plugin_dir


def offline_cli_config(repo_root: Path) -> Path:
    """The Terraform CLI configuration file to use as TF_CLI_CONFIG_FILE for offline runs."""
    plugin_dir = install_plugin(repo_root)
    config = offline_dir(repo_root) / CLI_CONFIG_NAME
    text = (
        "# Written by pvctl for offline runs: hashicorp/google is pvctl's local stand-in.\n"
        "provider_installation {\n"
        "  dev_overrides {\n"
        f"    {_hcl_string(PROVIDER_ADDRESS)} = {_hcl_string(str(plugin_dir))}\n"
        "  }\n"
        "  direct {}\n"
        "}\n"
    )
    _write_if_changed(config, text, 0o644)
    return config


def offline_banner() -> str:
    return (
        f"Offline mode: hashicorp/google is pvctl's stand-in built from the provider {PROVIDER_VERSION} schema. "
        "No GCP API was contacted; values Google computes (ids, IPs, URLs) are unknown in plans "
        "and placeholders in the sandbox state."
    )
