"""`terraform fmt` over the repository's Terraform code, with pvctl's Terraform."""

from __future__ import annotations

from pathlib import Path

from pvctl.engine.terraform import TerraformRunner
from pvctl.policy.step import StepResult

FOLDERS = ("modules", "environments")


def fmt_check(runner: TerraformRunner, repo_root: Path) -> StepResult:
    """fmt -check -recursive -diff: lists the files it would rewrite and the diff."""
    unformatted, diffs, errors = [], [], []
    for folder in FOLDERS:
        if not (repo_root / folder).is_dir():
            continue
        done = runner.run(["fmt", "-check", "-recursive", "-diff", "-no-color", folder], repo_root, capture=True)
        # Exit 3 = some files need formatting; anything else non-zero = unparsable HCL.
        if done.returncode == 3 or (done.returncode == 0 and done.stdout.strip()):
            diffs.append(done.stdout.strip())
            unformatted += [line for line in done.stdout.splitlines() if line.endswith(".tf") and not line.startswith(("---", "+++", " ", "-", "+"))]
        elif done.returncode != 0:
            errors.append((done.stderr or done.stdout).strip())
    if errors:
        return StepResult("fmt", "failed", "terraform fmt could not parse the HCL", "\n".join(errors))
    if diffs:
        names = ", ".join(unformatted) or "some files"
        return StepResult("fmt", "failed", f"not formatted: {names}", "\n".join(diffs))
    return StepResult("fmt", "ok")


def fmt_write(runner: TerraformRunner, repo_root: Path) -> list[str]:
    """Rewrite the files in canonical format; returns the ones changed."""
    changed = []
    for folder in FOLDERS:
        if (repo_root / folder).is_dir():
            done = runner.run(["fmt", "-recursive", "-no-color", folder], repo_root, capture=True)
            changed += [line for line in done.stdout.splitlines() if line.strip()]
    return changed
