"""Wall time of `pvctl ci` over all phases, as a ratio to the slowest single phase.

    python benchmarks/ci_phases.py               # the repository's own phases (needs offline plans)
    python benchmarks/ci_phases.py --synthetic   # three tiny terraform_data phases in a temp dir

Every run includes fmt and the checkov scan of the Terraform code; phases run side by
side (init serialised), so a ratio near 1.0 means the phases cost little more than one.
The first run is a warm-up (checkov environment, Terraform init) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PVCTL = Path(sys.executable).parent / "pvctl"
PHASES = ("mvp", "growth", "scale")


def synthetic_repo(parent: Path) -> Path:
    """Same shape as tests/ci's mini repository: built-in provider only."""
    sys.path.insert(0, str(REPO))
    from tests.ci.conftest import ENVIRONMENT

    root = parent / "repo"
    for folder in ("templates", "policies"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "pvctl.example.toml", root / "pvctl.example.toml")
    (root / "modules").mkdir()
    for phase in PHASES:
        (root / "environments" / phase).mkdir(parents=True)
        (root / "environments" / phase / "main.tf").write_text(ENVIRONMENT.replace("PHASE", phase))
    return root


def timed(repo: Path, phases: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(PVCTL), "ci", "--offline", "--phases", phases, "--format", "json", "--repo", str(repo)],
                          capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3, 5):  # a guard or a policy finding still ran every step
        sys.exit(f"pvctl ci --phases {phases} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", action="store_true", help="benchmark three tiny phases instead of the repository's")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    args = parser.parse_args()

    from pvctl.policy.toolenv import ensure_checkov

    env = dict(os.environ, PVCTL_CHECKOV=str(ensure_checkov(REPO, print).executable))
    with tempfile.TemporaryDirectory() as tmp:
        repo = synthetic_repo(Path(tmp)) if args.synthetic else REPO
        timed(repo, ",".join(PHASES), env)  # warm-up
        single = {p: min(timed(repo, p, env) for _ in range(args.repeat)) for p in PHASES}
        together = min(timed(repo, ",".join(PHASES), env) for _ in range(args.repeat))
    slowest = max(single.values())
    for phase, seconds in single.items():
        print(f"  {phase:7} alone      {seconds:6.1f} s")
    print(f"  all phases together {together:6.1f} s  (sum of singles {sum(single.values()):.1f} s)")
    print(f"ratio all/slowest single: {together / slowest:.2f}   (sequential would be ≈ {sum(single.values()) / slowest:.2f})")


if __name__ == "__main__":
    main()
