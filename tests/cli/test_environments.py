"""[environments.<name>] in pvctl.toml and --env / PVCTL_ENV: each environment its own project, files and state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pvctl.core.config import load_config
from pvctl.core.errors import ConfigError
from pvctl.core.repo import RepoPaths

from tests.cli.conftest import PVCTL_TOML, cli_env, pvctl

# The shared settings stay at the top; each environment names its project and what differs.
ENVIRONMENTS = PVCTL_TOML.replace('[project]\nid = "pv-test-project"\n', "[project]\n") + """
[phases.mvp.api]
max_instances = 4

[environments.staging.project]
id = "pv-staging"
domain = "staging.example.com.br"

[environments.staging.phases.mvp.api]
min_instances = 0

[environments.production.project]
id = "pv-production"
region = "us-east1"

[environments.production.state]
bucket = "pv-production-tfstate"
prefix = "prod"

[environments.production.phases.mvp.api]
max_instances = 9
"""


def _problems(root: Path, toml: str, **kwargs) -> list[tuple[str, str, str]]:
    (root / "pvctl.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(repo_root=root, env=kwargs.pop("env", {}), **kwargs)
    return caught.value.problems


def test_each_environment_overlays_the_shared_settings(repo: Path) -> None:
    (repo / "pvctl.toml").write_text(ENVIRONMENTS)
    staging = load_config(repo_root=repo, env={}, environment="staging")
    production = load_config(repo_root=repo, env={"PVCTL_ENV": "production"})
    assert (staging.environment, staging.project_id, staging.region, staging.domain) == (
        "staging", "pv-staging", "southamerica-east1", "staging.example.com.br")
    assert (production.environment, production.project_id, production.region, production.domain) == (
        "production", "pv-production", "us-east1", "app.example.com.br")
    assert (staging.state_bucket, staging.state_prefix) == (None, "pvctl")
    assert (production.state_bucket, production.state_prefix) == ("pv-production-tfstate", "prod")
    # Phase overrides merge key by key: the environment's win, the shared ones stay.
    assert staging.phase_overrides["mvp"]["api"] == {"max_instances": 4, "min_instances": 0}
    assert production.phase_overrides["mvp"]["api"] == {"max_instances": 9}
    assert staging.sources["project_id"] == "pvctl.toml [environments.staging]"
    assert staging.sources["phases.mvp.api.max_instances"] == "pvctl.toml"
    assert production.sources["phases.mvp.api.max_instances"] == "pvctl.toml [environments.production]"
    assert staging.environments == production.environments == ("staging", "production")
    # A flag still wins over the environment.
    assert load_config(repo_root=repo, env={}, environment="staging", flags={"region": "us-central1"}).region == "us-central1"


def test_no_environments_is_todays_configuration(repo: Path) -> None:
    cfg = load_config(repo_root=repo, env={})
    assert (cfg.environment, cfg.environments, cfg.project_id) == (None, (), "pv-test-project")
    assert cfg.paths == RepoPaths(repo)
    assert cfg.paths.default_plan("mvp") == repo / ".pvctl" / "mvp" / "plan.tfplan"
    assert cfg.paths.local_state("pv-test-project", "offline") == repo / ".pvctl" / "sandbox" / "pv-test-project" / "terraform.tfstate"


def test_every_file_of_an_environment_is_its_own(repo: Path) -> None:
    staging, production = RepoPaths(repo, "staging"), RepoPaths(repo, "production")
    for name in ("phase_dir", "tfvars", "backend_config", "default_plan"):
        assert getattr(staging, name)("mvp").is_relative_to(repo / ".pvctl" / "env" / "staging")
        assert getattr(staging, name)("mvp") != getattr(production, name)("mvp")
    for mode in ("live", "offline"):
        assert staging.data_dir("mvp", mode).is_relative_to(repo / ".pvctl" / "env" / "staging")
        # Even one project in two environments (a flag override) keeps two states.
        assert staging.local_state("p", mode) != production.local_state("p", mode)
    assert staging.plugin_cache == production.plugin_cache == RepoPaths(repo).plugin_cache  # providers are shared


@pytest.mark.parametrize(("toml", "kwargs", "field", "words"), [
    (ENVIRONMENTS, {}, "--env", "missing (pvctl.toml defines environments staging, production)"),
    (ENVIRONMENTS, {"environment": "qa"}, "--env", "'qa' is not an environment of pvctl.toml"),
    (ENVIRONMENTS, {"env": {"PVCTL_ENV": "qa"}}, "PVCTL_ENV", "'qa' is not an environment of pvctl.toml"),
    (PVCTL_TOML, {"environment": "staging"}, "--env", "'staging' is not an environment of pvctl.toml"),
    (ENVIRONMENTS.replace('id = "pv-staging"\n', ""), {"environment": "production"},
     "environments.staging.project.id", "missing (each environment has its own project)"),
    (ENVIRONMENTS.replace('"pv-staging"', '"pv-production"'), {"environment": "staging"},
     "environments.production.project.id", "'pv-production' is also the project of environment staging"),
    (ENVIRONMENTS.replace("[project]\n", '[project]\nid = "pv-shared"\n'), {"environment": "staging"},
     "project.id", "set outside [environments]"),
    (ENVIRONMENTS + '[environments.staging.state]\nbucket = "pv-production-tfstate"\nprefix = "prod"\n', {"environment": "staging"},
     "environments.production.state.prefix", "gs://pv-production-tfstate/prod is also the state of environment staging"),
    (ENVIRONMENTS + "[environments.staging.images]\nweb = 1\n", {"environment": "staging"},
     "environments.staging.images.web", "unknown key"),
    (ENVIRONMENTS.replace("min_instances = 0", 'min_instances = "x"'), {"environment": "staging"},
     "environments.staging.phases.mvp.api.min_instances", "expected an integer"),
    (ENVIRONMENTS + '[environments.Prod_1.project]\nid = "pv-p1"\n', {"environment": "staging"},
     "environments.Prod_1", "is not a valid environment name"),
    (ENVIRONMENTS + '[environments.staging.region]\nid = "x"\n', {"environment": "staging"},
     "environments.staging.region", "unknown section"),
])
def test_bad_environments_name_the_field_and_the_fix(repo: Path, toml: str, kwargs: dict, field: str, words: str) -> None:
    problems = _problems(repo, toml, **kwargs)
    assert any(where == field and words in what and fix for where, what, fix in problems), problems


def test_the_cli_takes_env_on_every_configured_command(repo: Path, tmp_path: Path) -> None:
    (repo / "pvctl.toml").write_text(ENVIRONMENTS)
    env = cli_env(tmp_path)
    shown = pvctl(["config", "show", "--json", "--env", "production"], repo, env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["values"]["project.id"] == {"value": "pv-production", "source": "pvctl.toml [environments.production]"}
    assert json.loads(shown.stdout)["environment"] == "production"
    by_env_var = pvctl(["config", "show", "--json"], repo, cli_env(tmp_path, PVCTL_ENV="staging"))
    assert json.loads(by_env_var.stdout)["values"]["project.id"]["value"] == "pv-staging"
    missing = pvctl(["config", "show"], repo, env)
    assert missing.returncode == 4
    assert missing.stderr.strip() == ("error: --env: missing (pvctl.toml defines environments staging, production)"
                                      " — pass --env NAME or set PVCTL_ENV")
    from pvctl.app import app
    from typer.main import get_command

    def commands(group, prefix=""):
        for name, command in group.commands.items():
            yield from commands(command, f"{prefix}{name} ") if hasattr(command, "commands") else [(f"{prefix}{name}", command)]

    without = [name for name, command in commands(get_command(app))
               if any(p.name == "config" for p in command.params) and not any(p.name == "env" for p in command.params)]
    assert without == []


def test_two_environments_plan_offline_side_by_side_with_their_own_state(repo: Path, tmp_path: Path) -> None:
    (repo / "pvctl.toml").write_text(ENVIRONMENTS)
    env = cli_env(tmp_path)
    applied = pvctl(["apply", "--phase", "mvp", "--offline", "--env", "staging", "--auto-approve"], repo, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    staging = pvctl(["plan", "--phase", "mvp", "--offline", "--env", "staging", "--json"], repo, env)
    production = pvctl(["plan", "--phase", "mvp", "--offline", "--env", "production", "--json"], repo, env)
    assert staging.returncode == 0 and production.returncode == 0, staging.stderr + production.stderr
    assert json.loads(staging.stdout)["resources"] == []                # staging's sandbox holds its apply
    assert json.loads(production.stdout)["resources"] != []             # production's is still empty
    work = repo / ".pvctl" / "env"
    assert (work / "staging" / "sandbox" / "pv-staging" / "terraform.tfstate").is_file()
    assert not (work / "production" / "sandbox" / "pv-production" / "terraform.tfstate").exists()
    assert (work / "staging" / "mvp" / "plan.tfplan").is_file() and (work / "production" / "mvp" / "plan.tfplan").is_file()
    tfvars = {name: json.loads((work / name / "mvp" / "terraform.tfvars.json").read_text()) for name in ("staging", "production")}
    assert tfvars["staging"]["project_id"] == "pv-staging" and tfvars["production"]["project_id"] == "pv-production"
    assert not (repo / ".pvctl" / "mvp").exists()                       # nothing in the unkeyed layout
    # A plan saved for one environment is never applied to the other.
    crossed = pvctl(["apply", "--phase", "mvp", "--offline", "--env", "production", "--auto-approve",
                     "--plan", str(work / "staging" / "mvp" / "plan.tfplan")], repo, env)
    assert crossed.returncode == 3 and "the saved plan is for project pv-staging" in crossed.stderr
