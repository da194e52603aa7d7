"""`terraform validate` of every module and phase against the offline stand-in provider.

Each folder gets `init -backend=false` then `validate -json`, with a pvctl-owned
TF_DATA_DIR (`.pvctl/tf/validate/...`) so nothing is written into the modules, and the
offline CLI configuration, so no registry or GCP is contacted.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pvctl.core.errors import PvctlError

if TYPE_CHECKING:
    from pvctl.core.config import Config

# Terraform warns about dev_overrides on every command; in offline mode that is the point.
_EXPECTED = {"Provider development overrides are in effect"}


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str = ""
    filename: str | None = None
    line: int | None = None

    def where(self) -> str:
        return f"{self.filename}:{self.line}" if self.filename and self.line else (self.filename or "")


@dataclass
class Result:
    target: str  # e.g. "modules/cloudsql", "modules/cloudsql/examples/basic" or "environments"
    valid: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def to_json(self) -> dict:
        return {"target": self.target, "valid": self.valid, "diagnostics": [asdict(d) for d in self.diagnostics]}


def targets(repo_root: Path) -> list[Path]:
    """Every folder holding Terraform files: modules, their examples, then the composition."""
    from pvctl.core.repo import RepoPaths

    modules = sorted(p for p in (repo_root / "modules").glob("*") if p.is_dir())
    examples = sorted(p for p in (repo_root / "modules").glob("*/examples/*") if p.is_dir())
    environments = repo_root / "environments"
    roots = [environments, *sorted(p for p in environments.glob("*") if p.is_dir())]
    return [p for p in (*modules, *examples, *roots) if RepoPaths.has_root(p)]


def _diagnostics(payload: dict, target: Path) -> list[Diagnostic]:
    out = []
    for d in payload.get("diagnostics", []):
        if d.get("summary") in _EXPECTED:
            continue
        rng = d.get("range") or {}
        filename = rng.get("filename")
        if filename and not os.path.isabs(filename):
            filename = str(target / filename)
        out.append(Diagnostic(d.get("severity", "error"), d.get("summary", ""), d.get("detail", ""), filename,
                              (rng.get("start") or {}).get("line")))
    return out


def _init_failure(output: str) -> list[Diagnostic]:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [i for i, ln in enumerate(lines) if ln.startswith("Error:")]
    if not errors:
        return [Diagnostic("error", "terraform init failed", "\n".join(lines[-10:]))]
    return [Diagnostic("error", lines[i].removeprefix("Error:").strip(), " ".join(lines[i + 1:i + 4])) for i in errors]


def validate_dir(target: Path, repo_root: Path, terraform: str | None = None) -> Result:
    from pvctl.engine.offline_runner import offline_runner

    name = str(target.relative_to(repo_root)) if target.is_relative_to(repo_root) else str(target)
    runner = offline_runner(repo_root, target, repo_root / ".pvctl" / "tf" / "validate" / name.replace(os.sep, "-"), terraform=terraform)
    init = runner.run(["init", "-backend=false", "-input=false", "-no-color"], cwd=target)
    if init.returncode != 0:
        return Result(name, False, _init_failure(init.stdout + "\n" + init.stderr))
    done = runner.run(["validate", "-json", "-no-color"], cwd=target)
    try:
        payload = json.loads(done.stdout)
    except ValueError:
        return Result(name, False, [Diagnostic("error", "terraform validate printed no JSON", (done.stderr or done.stdout)[-2000:])])
    return Result(name, bool(payload.get("valid")) and done.returncode == 0, _diagnostics(payload, target))


def validate_all(repo_root: Path, terraform: str | None = None, jobs: int | None = None) -> list[Result]:
    folders = targets(repo_root)
    if not folders:
        raise PvctlError(f"nothing to validate: {repo_root} has no modules/* or environments/* with .tf files",
                         "run pvctl inside the infrastructure repository (or pass --repo)")
    from pvctl.offline.wiring import offline_cli_config

    offline_cli_config(repo_root)  # write the wiring once, before parallel runs share it
    jobs = jobs or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: validate_dir(p, repo_root, terraform), folders))


def validate_phase(config: Config, phase: str, terraform: str | None = None) -> None:
    """The validate step of `pvctl check`: raises PvctlError naming the first error."""
    from pvctl.core.repo import RepoPaths

    repo_root = Path(config.repo_root)
    root = RepoPaths(repo_root).environment(phase)
    result = validate_dir(root, repo_root, terraform)
    if not result.valid:
        first = result.errors[0] if result.errors else Diagnostic("error", "terraform validate failed")
        where = f"{first.where()}: " if first.where() else ""
        raise PvctlError(f"terraform validate of {result.target} (phase {phase}): {where}{first.summary}",
                         "fix the configuration; `pvctl validate` lists every diagnostic")
