"""checkov in a private virtualenv under `<repo>/.pvctl/tools/checkov/`, created on first use.

checkov pins old versions of packaging, boto3, networkx and termcolor, installs
top-level `hcl2` and `test` modules and reconfigures the root logger on import,
so it never shares pvctl's environment or process: pvctl only runs its executable.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pvctl.core.errors import ToolError

CHECKOV_VERSION = "3.3.30"
TOOL_DIR = Path(".pvctl") / "tools" / "checkov"
ENV_CHECKOV = "PVCTL_CHECKOV"  # an existing checkov executable, e.g. in a locked-down CI image

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CheckovTool:
    executable: Path
    version: str


def _bin_dir(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin")


def _installed_version(env_dir: Path) -> str | None:
    marker = env_dir / "pvctl-installed.txt"
    return marker.read_text().strip() if marker.exists() else None


def ensure_checkov(repo_root: Path, progress: Progress = lambda _msg: None) -> CheckovTool:
    """The pinned checkov, installing it into the repo's tool folder when missing."""
    explicit = os.environ.get(ENV_CHECKOV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ToolError(f"{ENV_CHECKOV}={explicit}: no such file", f"point {ENV_CHECKOV} at a checkov executable or unset it")
        return CheckovTool(path, "external")

    env_dir = repo_root / TOOL_DIR
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    # Phases are scanned concurrently: one process installs, the others wait for it.
    with open(env_dir.parent / "checkov.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_version(env_dir) != CHECKOV_VERSION:
            _install(env_dir, progress)
    return CheckovTool(_bin_dir(env_dir) / "checkov", CHECKOV_VERSION)


def _install(env_dir: Path, progress: Progress) -> None:
    progress(f"checkov: creating a private virtualenv in {env_dir} (first use only)")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = _bin_dir(env_dir) / "python"
    progress(f"checkov: installing checkov=={CHECKOV_VERSION} (about a minute)")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", f"checkov=={CHECKOV_VERSION}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-5:])
        raise ToolError(
            f"checkov=={CHECKOV_VERSION}: pip install into {env_dir} failed ({tail.strip() or 'no output'})",
            f"check that your package index serves checkov, or set {ENV_CHECKOV} to an installed checkov",
        )
    (env_dir / "pvctl-installed.txt").write_text(CHECKOV_VERSION + "\n")
    progress("checkov: ready")


if __name__ == "__main__":  # `python -m pvctl.policy.toolenv REPO` pre-installs checkov (CI caches it)
    ensure_checkov(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve(), progress=print)
