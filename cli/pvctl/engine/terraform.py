"""Find the Terraform executable and run it as a subprocess, the way automation runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from pvctl.core.errors import PvctlError

BUNDLED_NAME = "pvctl-terraform"
ENV_TERRAFORM = "PVCTL_TERRAFORM"


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: str
    bundled: bool


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str = ""
    stderr: str = ""


def _bundled_path() -> Path:
    # The console script is installed next to the interpreter running pvctl.
    candidate = Path(sys.executable).parent / BUNDLED_NAME
    if candidate.exists():
        return candidate
    found = shutil.which(BUNDLED_NAME)
    if found:
        return Path(found)
    raise PvctlError(
        f"bundled Terraform: the `{BUNDLED_NAME}` executable is not installed",
        "reinstall pvctl (`pip install -e .`) or pass --terraform PATH",
    )


@lru_cache(maxsize=8)
def _version_of(path: str) -> str:
    try:
        done = subprocess.run(
            [path, "version", "-json"], capture_output=True, text=True, timeout=60, env=_base_env()
        )
    except OSError as exc:
        raise PvctlError(f"terraform executable {path}: cannot run it ({exc.strerror})", "pass a working terraform with --terraform or unset PVCTL_TERRAFORM") from exc
    try:
        return json.loads(done.stdout)["terraform_version"]
    except (ValueError, KeyError):
        match = re.search(r"Terraform v(\d+\.\d+\.\d+\S*)", done.stdout)
        if not match:
            raise PvctlError(f"terraform executable {path}: `version` printed no version", "pass a Terraform executable with --terraform") from None
        return match.group(1)


def required_version(repo_root: Path) -> str | None:
    pin = repo_root / ".terraform-version"
    return pin.read_text().strip() if pin.exists() else None


def find_terraform(explicit: str | None = None, repo_root: Path | None = None) -> TerraformBinary:
    """The user's Terraform when asked for (flag or PVCTL_TERRAFORM), else the bundled one.

    A user's Terraform must match `.terraform-version`: plans made with another
    version may not apply with this one, and state written by a newer one is unreadable.
    """
    chosen = explicit or os.environ.get(ENV_TERRAFORM)
    if not chosen:
        path = _bundled_path()
        return TerraformBinary(path=path, version=_version_of(str(path)), bundled=True)
    resolved = shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    if not resolved:
        raise PvctlError(f"terraform executable {chosen!r} not found", f"pass an existing path with --terraform, or unset {ENV_TERRAFORM} to use the bundled Terraform")
    version = _version_of(resolved)
    wanted = required_version(repo_root) if repo_root else None
    if wanted and version != wanted:
        raise PvctlError(
            f"terraform {resolved} is version {version}, but .terraform-version pins {wanted}",
            f"install Terraform {wanted}, or drop --terraform/{ENV_TERRAFORM} to use the bundled Terraform {wanted}",
        )
    return TerraformBinary(path=Path(resolved), version=version, bundled=False)


def _base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    if extra:
        env.update(extra)
    return env


@dataclass
class TerraformRunner:
    """Runs one Terraform executable with pvctl's environment around it."""

    binary: TerraformBinary
    cli_config_file: Path | None = None
    data_dir: Path | None = None
    plugin_cache_dir: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = _base_env(self.extra_env)
        # Never the user's ~/.terraformrc: an empty pvctl-owned file when none is given.
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config_file) if self.cli_config_file else os.devnull
        if self.data_dir:
            env["TF_DATA_DIR"] = str(self.data_dir)
        if self.plugin_cache_dir:
            self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
            env["TF_PLUGIN_CACHE_DIR"] = str(self.plugin_cache_dir)
        return env

    def run(self, args: Sequence[str], cwd: Path, capture: bool = True) -> RunResult:
        done = subprocess.run(
            [str(self.binary.path), *args],
            cwd=cwd,
            env=self.env(),
            capture_output=capture,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        return RunResult(done.returncode, done.stdout or "", done.stderr or "")
