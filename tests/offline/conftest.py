"""Real Terraform (the bundled engine) against the offline stand-in provider."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Workdir:
    path: Path
    runner: object

    def tf(self, *args: str, ok=(0,)):
        done = self.runner.run([*args, "-no-color"] if args[0] != "show" else list(args), cwd=self.path)
        assert done.returncode in ok, f"terraform {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def write(self, name: str, text: str) -> None:
        (self.path / name).write_text(text)

    def plan_json(self, *extra: str) -> dict:
        self.tf("plan", "-input=false", "-out=plan.tfplan", *extra, ok=(0, 2))
        return json.loads(self.tf("show", "-json", "plan.tfplan").stdout)

    def at(self, path: Path) -> Workdir:
        """The same Terraform, run in another folder."""
        return dataclasses.replace(self, path=path)


def make_workdir(tmp: Path, fixture: str | None, repo_root: Path = REPO_ROOT, extra_env=None, plain: bool = False) -> Workdir:
    from pvctl.engine.offline_runner import offline_runner
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.offline.wiring import offline_cli_config

    work = tmp / "work"
    if fixture:
        shutil.copytree(FIXTURES / fixture, work)
    else:
        work.mkdir(parents=True)
    # As pvctl's offline runs (through the worker's stand-in server, reattached, serving the types each
    # command can name; started again if an in-process pvctl command ended it); plain: Terraform starts
    # the stand-in itself for each command (dev_overrides), as a user's plain `terraform` does.
    if plain:
        runner = TerraformRunner(find_terraform(), cli_config_file=offline_cli_config(repo_root), data_dir=tmp / "tfdata",
                                 extra_env=dict(extra_env or {}))
    else:
        runner = offline_runner(repo_root, work, tmp / "tfdata", extra_env=extra_env)
    return Workdir(work, runner)


@pytest.fixture
def workdir(tmp_path):
    return lambda fixture=None, **kw: make_workdir(tmp_path, fixture, **kw)
