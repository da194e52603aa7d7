"""Bad input is named where the user wrote it: the option given, the phases.toml line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import MAIN_REPO, cli_env, pvctl


@pytest.mark.parametrize("args, option", [
    (["cost", "--phase", "mvp", "--traffic", "bogus"], "--traffic"),
    (["cost", "--compare", "mvp", "bogus"], "--compare"),
    (["plan", "--phase", "bogus", "--offline"], "--phase"),
])
def test_an_unknown_phase_names_the_option_it_was_given_in(repo: Path, tmp_path: Path, args: list[str], option: str) -> None:
    done = pvctl(args, repo, cli_env(tmp_path))
    assert done.returncode == 4, done.stdout + done.stderr
    assert f"error: {option}: unknown phase 'bogus' — use one of: mvp, growth, scale" in done.stderr, done.stderr


def _phases_toml(repo: Path, edit: tuple[str, str]) -> Path:
    path = repo / "environments" / "phases.toml"
    text = (MAIN_REPO / "environments" / "phases.toml").read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    return path


def test_a_phases_toml_syntax_error_names_the_file_line_and_column(repo: Path, tmp_path: Path) -> None:
    path = _phases_toml(repo, ("max_instances = 3\n", "max_instances = = 3\n"))
    line = path.read_text().splitlines().index("max_instances = = 3") + 1
    done = pvctl(["render", "--phase", "mvp"], repo, cli_env(tmp_path))
    assert done.returncode == 4, done.stdout + done.stderr
    errors = [e for e in done.stderr.splitlines() if e.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"phases.toml, line {line}, column 17: is not valid TOML: Invalid value" in errors[0], errors[0]
    assert "fix the syntax there" in errors[0] and "readable" not in errors[0], errors[0]


def test_a_string_where_phases_toml_needs_a_number_is_named_as_such(repo: Path, tmp_path: Path) -> None:
    _phases_toml(repo, ("max_instances = 3\n", 'max_instances = "seven"\n'))
    done = pvctl(["render", "--phase", "mvp"], repo, cli_env(tmp_path))
    assert done.returncode == 4, done.stdout + done.stderr
    assert "environments/phases.toml [mvp.api] max_instances: 'seven' must be a number, not str — write one in 1..1000" \
        in done.stderr, done.stderr
    assert "outside" not in done.stderr, done.stderr


@pytest.mark.parametrize("args, fix", [
    (["plan", "--bogus", "--json"], "see `pvctl plan --help`"),
    (["db", "restore-test", "--bogus", "--json"], "see `pvctl db restore-test --help`"),
    (["plann", "--json"], "see `pvctl --help`"),
])
def test_a_json_usage_error_names_the_command_whose_help_to_read(repo: Path, tmp_path: Path, args: list[str], fix: str) -> None:
    import json

    done = pvctl(args, repo, cli_env(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert json.loads(done.stdout)["error"]["fix"] == fix
