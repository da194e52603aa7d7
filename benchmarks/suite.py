"""Wall time of the test suite, run exactly as the README and CI run it (`python -m pytest -q`).

    python benchmarks/suite.py            # the suite as configured (parallel workers, pyproject addopts)
    python benchmarks/suite.py --serial   # also one process (`-p no:xdist`), and the ratio of the two
    python benchmarks/suite.py tests/offline tests/cost   # some folders only

Prints the wall time, the CPU time the tests' processes used (user + system, all workers and the
Terraform and provider processes they started), the load average before and after, the pytest
summary line and the slowest tests; no threshold, nothing asserted. Run it warm (Terraform's
bundled engine unpacked, checkov installed) on an otherwise idle machine: the suite's goal is
3 minutes on 2 cores. On a busy machine the CPU time is the steadier figure; cores differ in speed
from machine to machine (seen here: 2.6x between two 2-core machines), and the machine reference,
a fixed Python loop timed before the run, lets figures from different machines be compared.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def run_suite(extra: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and the output's last lines (the summary) of one run of the suite."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=10", *extra],
                          cwd=REPO, capture_output=True, text=True, env=dict(os.environ))
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    lines = done.stdout.splitlines()
    slowest = [i for i, line in enumerate(lines) if "slowest" in line]
    tail = lines[slowest[0]:] if slowest else lines[-3:]
    return seconds, cpu, "\n".join(tail)


def reference_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop, median of 5: how fast this machine's cores run Python,
    so that suite times taken on different machines can be compared (suite CPU / reference)."""
    runs = []
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        runs.append(time.process_time() - start)
    return sorted(runs)[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", action="store_true", help="also time the suite in one process and print the ratio")
    parser.add_argument("paths", nargs="*", help="test folders or files (default: the whole suite, testpaths)")
    args = parser.parse_args()
    before, reference = _load(), reference_seconds()
    parallel, cpu, summary = run_suite(args.paths)
    print(summary)
    print(f"load average {before} before, {_load()} after")
    print(f"suite (as configured): {parallel:7.1f} s on {os.cpu_count()} cores, {cpu:7.1f} s of CPU")
    print(f"machine reference    : {reference:7.3f} s of CPU for a fixed Python loop; suite CPU / reference {cpu / reference:,.0f}")
    if args.serial:
        serial, cpu, summary = run_suite(["-p", "no:xdist", *args.paths])
        print(summary.splitlines()[-1])
        print(f"suite (one process)  : {serial:7.1f} s, {cpu:7.1f} s of CPU")
        print(f"ratio                : {parallel / serial:7.2f}x")


if __name__ == "__main__":
    main()
