"""Narrow terminals: a table that cannot fit without breaking an identifier becomes plain records."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from pvctl.planning.display import print_summary
from pvctl.planning.summary import summarize
from tests.cli.conftest import cli_env, pvctl
from tests.cost.conftest import FIXTURES


@pytest.fixture
def priced_repo(tmp_path: Path) -> Path:
    for folder in ("environments", "modules"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pvctl.toml").write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n')
    (tmp_path / ".pvctl" / "mvp").mkdir(parents=True)
    shutil.copy(FIXTURES / "mvp.plan.json", tmp_path / ".pvctl" / "mvp" / "plan.json")
    return tmp_path


def _whole(identifiers: set[str], text: str) -> list[str]:
    """The identifiers no single line of `text` holds whole."""
    lines = text.splitlines()
    return sorted(i for i in identifiers if not any(i in line for line in lines))


def _too_wide(text: str, width: int) -> list[str]:
    """Lines wider than the terminal, except a single word too wide for any line."""
    return [line for line in text.splitlines() if len(line) > width and len(line.split()) > 1]


@pytest.mark.parametrize("width", [60, 80])
def test_cost_at_a_narrow_terminal_keeps_addresses_and_skus_whole(priced_repo: Path, tmp_path: Path, width: int) -> None:
    env = cli_env(tmp_path)
    items = json.loads(pvctl(["cost", "--phase", "mvp", "--json"], priced_repo, env).stdout)["items"]
    done = pvctl(["cost", "--phase", "mvp"], priced_repo, {**env, "COLUMNS": str(width)})
    assert done.returncode == 0, done.stderr
    assert "┃" not in done.stdout  # these addresses cannot fit a table this narrow
    assert _whole({i["resource"] for i in items} | {i["sku"] for i in items}, done.stdout) == []
    assert _too_wide(done.stdout, width) == []


def test_cost_at_a_wide_terminal_is_a_table(priced_repo: Path, tmp_path: Path) -> None:
    done = pvctl(["cost", "--phase", "mvp"], priced_repo, {**cli_env(tmp_path), "COLUMNS": "200"})
    assert "┃ component" in done.stdout and "module.api.google_cloud_run_v2_service.this" in done.stdout


@pytest.mark.parametrize("width", [60, 80, 200])
def test_plan_summary_keeps_modules_and_types_whole(width: int) -> None:
    summary = summarize(json.loads((FIXTURES / "scale.plan.json").read_text()), "scale")
    console = Console(file=io.StringIO(), width=width, no_color=True)
    print_summary(console, summary, None, None)
    text = console.file.getvalue()
    identifiers = {m for m, _ in summary.groups if m} | {t for _, t in summary.groups}
    assert "google_secret_manager_secret_iam_member" in identifiers
    assert _whole(identifiers, text) == []
    assert _too_wide(text, width) == []
