"""The lint and type gates: ruff and mypy, configured in pyproject.toml, report nothing.

Run by pytest so that `.ci/run` (which runs the tests) enforces them like any other test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # The tools of the interpreter running the tests (the test extra installs them), never one on PATH.
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    # The whole repository: ruff skips what .gitignore lists (virtualenvs, .pvctl/ working data).
    done = _run("ruff", "check", "--no-fix", "--output-format", "concise", ".")
    assert done.returncode == 0, f"ruff check (rules and line length in pyproject.toml [tool.ruff]):\n{done.stdout}{done.stderr}"


def test_mypy_finds_nothing() -> None:
    # Files, strictness and the per-module allowances for untyped libraries are in pyproject.toml [tool.mypy].
    done = _run("mypy", "--no-error-summary", "--hide-error-context")
    assert done.returncode == 0, f"mypy:\n{done.stdout}{done.stderr}"
