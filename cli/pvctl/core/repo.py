"""Where things live: the repository root and pvctl's working folders under `.pvctl/`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pvctl.core.errors import ConfigError

ENV_REPO = "PVCTL_REPO"
Mode = Literal["live", "offline"]
OVERRIDE = "pvctl_override.tf"  # rendered by pvctl, git-ignored: selects a local state


CONFIG_SUFFIXES = (".tf", ".tf.json")  # the files Terraform reads as a folder's configuration


def config_files(folder: Path, recursive: bool = False) -> list[Path]:
    """`folder`'s Terraform configuration files, sorted; `recursive`: its subfolders' too, except
    Terraform's own working folders (`.terraform`)."""
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(f for f in found if f.name.endswith(CONFIG_SUFFIXES) and ".terraform" not in f.relative_to(folder).parts
                  and f.is_file())


def _is_root(path: Path) -> bool:
    return (path / "environments").is_dir() and (path / "modules").is_dir()


def find_repo_root(explicit: Path | str | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """--repo, else PVCTL_REPO, else the nearest folder above cwd holding environments/ and modules/."""
    env = os.environ if env is None else env
    given = explicit or env.get(ENV_REPO)
    if given:
        root = Path(given).expanduser().resolve()
        if not _is_root(root):
            where = "--repo" if explicit else ENV_REPO
            raise ConfigError(
                [(where, f"{root} holds no environments/ and modules/ folders", "point it at the pvctl infrastructure repository")]
            )
        return root
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if _is_root(folder):
            return folder
    raise ConfigError([("repository", f"no folder above {start} holds environments/ and modules/",
                        f"run pvctl inside the infrastructure repository, or pass --repo / set {ENV_REPO}")])


@dataclass(frozen=True)
class RepoPaths:
    """Where pvctl keeps its files for one environment (None: pvctl.toml defines none).

    Each environment has its own rendered inputs, saved plans, Terraform data and local state
    under .pvctl/env/<name>/, so planning staging never touches production's files. Without
    environments the layout is .pvctl/<phase>/, .pvctl/tf/ and .pvctl/{state,sandbox}/.
    """

    root: Path
    env: str | None = None

    @property
    def work(self) -> Path:
        return self.root / ".pvctl"

    @property
    def env_work(self) -> Path:
        """The folder of this environment's own files."""
        return self.work if self.env is None else self.work / "env" / self.env

    def environment(self, phase: str) -> Path:
        """The Terraform root that plans `phase`: environments/, one composition for every phase.

        A tree from before that composition (a base commit extracted by `pvctl ci --base`) has one
        root per phase, environments/<phase>/, and that one plans it.
        """
        per_phase = self.root / "environments" / phase
        return per_phase if self.has_root(per_phase) else self.root / "environments"

    @staticmethod
    def has_root(folder: Path) -> bool:
        """Whether `folder` holds Terraform files other than pvctl's own rendered override."""
        return any(p.name != OVERRIDE for p in folder.glob("*.tf"))

    def phase_dir(self, phase: str) -> Path:
        return self.env_work / phase

    def tfvars(self, phase: str) -> Path:
        return self.phase_dir(phase) / "terraform.tfvars.json"

    def backend_config(self, phase: str) -> Path:
        return self.phase_dir(phase) / "backend.tfbackend"

    def override(self, phase: str) -> Path:
        return self.environment(phase) / OVERRIDE

    def default_plan(self, phase: str) -> Path:
        return self.phase_dir(phase) / "plan.tfplan"

    def data_dir(self, phase: str, mode: Mode) -> Path:
        return self.env_work / "tf" / f"{phase}-{mode}"

    @property
    def plugin_cache(self) -> Path:
        return self.work / "plugin-cache"

    @property
    def terraformrc(self) -> Path:
        return self.work / "terraformrc"

    def local_state(self, project_id: str, mode: Mode) -> Path:
        folder = "sandbox" if mode == "offline" else "state"
        return self.env_work / folder / project_id / "terraform.tfstate"
