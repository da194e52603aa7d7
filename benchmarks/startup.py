"""Start-up cost of `pvctl --help`, as a ratio to `python -c "import typer"` (the floor of any Typer CLI).

Run by hand: python benchmarks/startup.py [runs]. Prints the median wall time of
each over N runs (default 15) and the ratios; no threshold, nothing asserted (goal: 1.2x typer).
Runs as a user's shell would: .pyc files written and reused, whatever PYTHONDONTWRITEBYTECODE says here.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    median_seconds([sys.executable, "-m", "pvctl", "--help"], 2)  # warm the file cache and .pyc files
    bare = median_seconds([sys.executable, "-c", "pass"], runs)
    typer_ = median_seconds([sys.executable, "-c", "import typer"], runs)
    help_ = median_seconds([sys.executable, "-m", "pvctl", "--help"], runs)
    print(f"python -c pass         : {bare * 1000:7.1f} ms (median of {runs})")
    print(f"python -c 'import typer': {typer_ * 1000:7.1f} ms")
    print(f"pvctl --help           : {help_ * 1000:7.1f} ms")
    print(f"ratio to import typer  : {help_ / typer_:7.2f}x")
    print(f"ratio to python        : {help_ / bare:7.2f}x")


if __name__ == "__main__":
    main()
