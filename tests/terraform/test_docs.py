"""The READMEs' generated parts (scripts/terraform_docs.py) match the code and the phase data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.terraform.hcl_facts import ENVIRONMENTS, MODULES, REPO

SCRIPT = REPO / "scripts" / "terraform_docs.py"
READMES = [p / "README.md" for p in sorted(MODULES.iterdir()) if p.is_dir()] + [ENVIRONMENTS / "README.md"]


def _docs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    for folder in ("modules", "environments"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".terraform*", "*_override.tf"))
    return tmp_path


def test_the_readmes_are_up_to_date() -> None:
    done = _docs("--check")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name)
def test_every_readme_has_generated_tables_and_keeps_its_prose(readme: Path) -> None:
    text = readme.read_text()
    begin, end = text.index("<!-- BEGIN_TF_DOCS -->"), text.index("<!-- END_TF_DOCS -->")
    assert "## Inputs" in text[begin:end] and "## Outputs" in text[begin:end]
    prose = text[:begin] + text[end:]
    assert len(prose.split()) > 40, f"{readme}: the hand-written description is missing"
    assert "| input |" not in prose and "| output |" not in prose, f"{readme}: a hand-kept table is left"


def test_a_changed_variable_makes_the_check_fail_and_the_script_fixes_it(repo_copy: Path) -> None:
    variables = repo_copy / "modules" / "secrets" / "variables.tf"
    variables.write_text(variables.read_text().replace("Labels on the secrets.", "Labels on every secret."))
    stale = _docs("--check", "--repo", str(repo_copy))
    assert stale.returncode == 1 and "modules/secrets/README.md" in stale.stderr, stale.stderr
    assert _docs("--repo", str(repo_copy)).returncode == 0
    assert "Labels on every secret." in (repo_copy / "modules" / "secrets" / "README.md").read_text()
    assert _docs("--check", "--repo", str(repo_copy)).returncode == 0


def test_a_changed_phase_figure_makes_the_check_fail(repo_copy: Path) -> None:
    phases = repo_copy / "environments" / "phases.toml"
    budget = tomllib.loads(phases.read_text())["scale"]["budget"]["amount_usd"]
    phases.write_text(phases.read_text().replace(f"amount_usd = {budget}", f"amount_usd = {budget + 1}"))
    assert _docs("--check", "--repo", str(repo_copy)).returncode == 1


def test_the_phase_figures_are_the_phase_data() -> None:
    phases = tomllib.loads((ENVIRONMENTS / "phases.toml").read_text())
    text = (ENVIRONMENTS / "README.md").read_text()
    figures = text[text.index("<!-- BEGIN_PHASES -->"):text.index("<!-- END_PHASES -->")]
    assert f"amount_usd = {phases['scale']['budget']['amount_usd']}" in figures
    assert f'tier = "{phases["growth"]["redis"]["tier"]}"' in figures
