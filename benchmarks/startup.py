"""Start-up cost of `pvctl --help`, as a ratio to a bare `python -c pass`.

Run by hand: python benchmarks/startup.py [runs]. Prints the median wall time of
each over N runs (default 15) and the ratio; no threshold, nothing asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    median_seconds([sys.executable, "-m", "pvctl", "--help"], 2)  # warm the file cache and .pyc files
    bare = median_seconds([sys.executable, "-c", "pass"], runs)
    help_ = median_seconds([sys.executable, "-m", "pvctl", "--help"], runs)
    print(f"python -c pass : {bare * 1000:7.1f} ms (median of {runs})")
    print(f"pvctl --help   : {help_ * 1000:7.1f} ms (median of {runs})")
    print(f"ratio          : {help_ / bare:7.1f}x")


if __name__ == "__main__":
    main()
