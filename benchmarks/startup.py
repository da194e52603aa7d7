"""Start-up cost of `pvctl --help`, as a ratio to `python -c "import typer"` (the floor of any Typer CLI).

Run by hand: python benchmarks/startup.py [runs]. Prints the median wall and CPU time (user + system)
of each over N runs (default 21) and the ratios; no threshold, nothing asserted (goal: 1.2x typer).
The three commands take turns, run after run, so a busy machine slows each of them alike instead of
whichever ran during the busy spell; on a shared machine the CPU times are the steadier figure.
`pvctl` is the installed command beside this Python (as a user runs it), else `python -m pvctl`.
Runs as a user's shell would: .pyc files written and reused, whatever PYTHONDONTWRITEBYTECODE says here.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of argv, its output discarded."""
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, ENV, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime + usage.ru_stime


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
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(seconds(argv))
    wall = {name: statistics.median(w for w, _ in runs_) for name, runs_ in samples.items()}
    cpu = {name: statistics.median(c for _, c in runs_) for name, runs_ in samples.items()}
    width = max(map(len, commands))
    print(f"{'':<{width}}   {'wall':>9}   {'CPU':>9}   (medians of {runs})")
    for name in commands:
        print(f"{name:<{width}}   {wall[name] * 1000:6.1f} ms   {cpu[name] * 1000:6.1f} ms")
    for label, base in (("ratio to import typer", "python -c 'import typer'"), ("ratio to python", "python -c pass")):
        print(f"{label:<{width}}   {wall['pvctl --help'] / wall[base]:7.2f}x   {cpu['pvctl --help'] / cpu[base]:7.2f}x")
    print(f"pvctl ran as: {' '.join(commands['pvctl --help'])}")


if __name__ == "__main__":
    main()
