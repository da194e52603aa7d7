"""The base branch's Terraform code, extracted next to the working tree for a cost comparison."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path

from pvctl.core.errors import ToolError

# The base commit's phase defaults: its plans render and its costs are priced with them. They live
# beside the Terraform (inside environments/); commits before that move kept them in the package.
PHASES_TOML = "environments/phases.toml"
LEGACY_PHASES_TOML = "cli/pvctl/data/phases.toml"
# What a base plan needs from the base commit: the Terraform code (with the phase defaults), its
# templates and the example config.
TREES = ("modules", "environments", "templates", "pvctl.example.toml", LEGACY_PHASES_TOML)
# Every phase's base plan asks for the same tree at once: one extracts, the others reuse it.
_EXTRACT_LOCK = threading.Lock()


def _git(repo_root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=repo_root, capture_output=True, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ToolError(f"--base: cannot run git ({exc.strerror})", "install git, or drop --base") from exc


def extract_base(repo_root: Path, ref: str) -> Path:
    """`git archive` of REF into .pvctl/ci/base/<sha>/ (no checkout, no change to the repository)."""
    resolved = _git(repo_root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise ToolError(f"--base {ref}: no such commit in this clone",
                        "fetch it first (in Actions: actions/checkout with fetch-depth: 0), or pass another ref")
    sha = resolved.stdout.decode().strip()
    target = repo_root / ".pvctl" / "ci" / "base" / sha
    with _EXTRACT_LOCK:
        if not (target / "environments").is_dir():
            _extract(repo_root, ref, sha, target)
    return target


def base_phases_file(base_root: Path) -> Path | None:
    """The extracted base commit's phases.toml; None when that commit has none (the current one stands in)."""
    return next((p for p in (base_root / PHASES_TOML, base_root / LEGACY_PHASES_TOML) if p.is_file()), None)


def _extract(repo_root: Path, ref: str, sha: str, target: Path) -> None:
    present = [t for t in TREES if _git(repo_root, "cat-file", "-e", f"{sha}:{t}").returncode == 0]
    if "environments" not in present:
        raise ToolError(f"--base {ref}: that commit has no environments/ folder", "compare against a commit that already has the phases")
    archive = _git(repo_root, "archive", "--format=tar", sha, *present)
    if archive.returncode != 0:
        raise ToolError(f"--base {ref}: git archive failed ({archive.stderr.decode().strip()})", "check the clone")
    partial = target.with_name(sha + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(partial, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
