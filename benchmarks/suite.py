"""Wall time of the test suite, run exactly as the README and CI run it (`python -m pytest -q`).

    python benchmarks/suite.py            # the suite as configured (parallel workers, pyproject addopts)
    python benchmarks/suite.py --serial   # also one process (`-p no:xdist`), and the ratio of the two

Prints the wall time, the pytest summary line and the slowest tests; no threshold, nothing
asserted. Run it warm (Terraform's bundled engine unpacked, checkov installed) on an otherwise
idle machine: the suite's goal is 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_suite(extra: list[str]) -> tuple[float, str]:
    """Seconds the suite took and its output's last lines (the summary)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=10", *extra],
                          cwd=REPO, capture_output=True, text=True, env=dict(os.environ))
    seconds = time.perf_counter() - start
    lines = done.stdout.splitlines()
    slowest = [i for i, line in enumerate(lines) if "slowest" in line]
    tail = lines[slowest[0]:] if slowest else lines[-3:]
    return seconds, "\n".join(tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", action="store_true", help="also time the suite in one process and print the ratio")
    args = parser.parse_args()
    parallel, summary = run_suite([])
    print(summary)
    print(f"suite (as configured): {parallel:7.1f} s on {os.cpu_count()} cores")
    if args.serial:
        serial, summary = run_suite(["-p", "no:xdist"])
        print(summary.splitlines()[-1])
        print(f"suite (one process)  : {serial:7.1f} s")
        print(f"ratio                : {parallel / serial:7.2f}x")


if __name__ == "__main__":
    main()
