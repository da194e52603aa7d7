"""The README's shell lines a new user copies: the test command is CI's, and `pvctl` works after the quick start."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def sh_blocks(section: str) -> list[str]:
    body = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.S)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci_command = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert [b.strip() for b in sh_blocks("Quick start")][1] == ci_command
    # Workers come from pytest's addopts, so the one command stays the same in both places.
    assert "-n auto" in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]


def test_the_quick_start_leaves_pvctl_on_the_path() -> None:
    install = sh_blocks("Quick start")[0].strip()
    # Later sections call bare `pvctl`: the quick start activates the virtualenv before its first use.
    assert install.index(". .venv/bin/activate") < install.index("pvctl plan")
    assert install.endswith("pvctl plan --phase mvp") and ".venv/bin/pvctl" not in README
