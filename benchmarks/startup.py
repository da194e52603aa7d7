"""Start-up cost of `pvctl --help`, as a ratio to `python -c "import typer"` (the floor of any Typer CLI).

Run by hand: python benchmarks/startup.py [runs]. Prints the median wall time of each over N runs
(default 21) and the ratios; no threshold, nothing asserted (goal: 1.2x typer). The three commands
take turns, run after run, so a busy machine slows each of them alike instead of whichever ran
during the busy spell. `pvctl` is the installed command beside this Python (as a user runs it),
else `python -m pvctl`. Runs as a user's shell would: .pyc files written and reused, whatever
PYTHONDONTWRITEBYTECODE says here.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


def pvctl_argv() -> list[str]:
    script = Path(sys.executable).with_name("pvctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pvctl"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "pvctl --help": [*pvctl_argv(), "--help"],
    }
    for argv in commands.values():  # warm the file cache and .pyc files
        seconds(argv)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(seconds(argv))
    bare, typer_, help_ = (statistics.median(samples[name]) for name in commands)
    width = max(map(len, commands))
    for name, median in zip(commands, (bare, typer_, help_), strict=True):
        print(f"{name:<{width}} : {median * 1000:7.1f} ms (median of {runs})")
    print(f"{'ratio to import typer':<{width}} : {help_ / typer_:7.2f}x")
    print(f"{'ratio to python':<{width}} : {help_ / bare:7.2f}x")
    print(f"pvctl ran as: {' '.join(commands['pvctl --help'])}")


if __name__ == "__main__":
    main()
