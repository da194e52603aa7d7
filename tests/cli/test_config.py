"""Configuration: validation of every input class, precedence and sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvctl.core.config import effective_values, load_config
from pvctl.core.errors import ConfigError

GOOD = """\
[project]
id = "pv-prod-123"
domain = "app.example.com.br"
alert_email = "ops@example.com.br"

[images]
api = "southamerica-east1-docker.pkg.dev/pv-prod-123/app/api:1.2.3"
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    (tmp_path / "modules").mkdir()
    return tmp_path


def load(root: Path, toml: str = GOOD, env: dict | None = None, flags: dict | None = None):
    (root / "pvctl.toml").write_text(toml)
    return load_config(repo_root=root, env=env or {}, flags=flags)


def problems(root: Path, toml: str, env: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(root, toml, env)
    return caught.value.lines()


def test_defaults_and_sources(root: Path) -> None:
    cfg = load(root)
    assert cfg.project_id == "pv-prod-123" and cfg.region == "southamerica-east1" and cfg.name_prefix == "pv"
    assert cfg.deletion_protection is True and cfg.images_managed_by_ci is False and cfg.state_bucket is None
    assert cfg.labels == {"managed-by": "pvctl"}
    assert cfg.sources["project_id"] == "pvctl.toml" and cfg.sources["region"] == "default"
    assert cfg.warnings == ()


def test_env_beats_file_and_flag_beats_env(root: Path) -> None:
    env = {"PVCTL_PROJECT": "pv-from-env", "PVCTL_REGION": "us-central1", "PVCTL_DELETION_PROTECTION": "false", "PVCTL_BUDGET_USD": "300"}
    cfg = load(root, env=env, flags={"project_id": "pv-from-flag", "region": None})
    assert cfg.project_id == "pv-from-flag" and cfg.sources["project_id"] == "flag --project"
    assert cfg.region == "us-central1" and cfg.sources["region"] == "env PVCTL_REGION"
    assert cfg.deletion_protection is False and cfg.budget_usd == 300.0
    rows = {name: (value, source) for name, value, source in effective_values(cfg)}
    assert rows["project.id"] == ("pv-from-flag", "flag --project")
    assert rows["billing.budget_usd"] == (300.0, "env PVCTL_BUDGET_USD")


@pytest.mark.parametrize("field, value, expected", [
    ("id", '"My_Project"', "project.id: 'My_Project' is not a GCP project ID"),
    ("id", '"pv-12"', "is not a GCP project ID"),                        # too short
    ("region", '"southamerica-east2"', "did you mean 'southamerica-east1'"),
    ("region", '"mars-north1"', "is not a Cloud Run region"),
    ("domain", '"https://app.example.com"', "is a URL, not a domain"),
    ("domain", '"localhost"', "is not a valid domain name"),
    ("domain", '"App.Example.com"', "write it in lower case"),
    ("alert_email", '"ops-at-example.com"', "is not an e-mail address"),
    ("name_prefix", '"Piloto"', "cannot prefix resource names"),
])
def test_bad_project_values(root: Path, field: str, value: str, expected: str) -> None:
    toml = GOOD.replace("[project]\n", f"[project]\n{field} = {value}\n", 1)
    toml = "\n".join(ln for ln in toml.splitlines() if not (ln.startswith(f"{field} =") and value not in ln))
    assert any(expected in line for line in problems(root, toml))


@pytest.mark.parametrize("image, expected", [
    ("api:1.0", "is not a full image reference"),
    ("southamerica-east1-docker.pkg.dev/p/App/api:1", "is not a full image reference"),   # upper case path
    ("gcr.io/p/api@sha256:1234", "is not a full image reference"),                        # short digest
])
def test_bad_image_references(root: Path, image: str, expected: str) -> None:
    lines = problems(root, GOOD.replace('api = "southamerica-east1-docker.pkg.dev/pv-prod-123/app/api:1.2.3"', f'api = "{image}"'))
    assert lines[0].startswith("images.api:") and expected in lines[0]


def test_moving_tags_warn_unless_ci_manages_images(root: Path) -> None:
    latest = GOOD.replace(":1.2.3", ":latest")
    assert "moving tag" in load(root, latest).warnings[0]
    assert load(root, latest + "managed_by_ci = true\n").warnings == ()
    digest = GOOD.replace(":1.2.3", "@sha256:" + "a" * 64)
    assert load(root, digest).warnings == ()


@pytest.mark.parametrize("section, expected", [
    ('[billing]\naccount = "billingAccounts/01ABCD-23EF45-6789AB"', "drop the 'billingAccounts/' prefix"),
    ('[billing]\naccount = "0123-4567"', "is not a billing account ID"),
    ('[billing]\nbudget_usd = -5', "is not a positive whole number of dollars"),
    ('[billing]\nbudget_usd = 650.5', "is not a positive whole number of dollars"),
    ('[billing]\nbudget_usd = nan', "is not a positive whole number of dollars"),
    ('[billing]\nbudget_usd = inf', "is not a positive whole number of dollars"),
    ('[billing]\nbudget_usd = "lots"', "billing.budget_usd: expected a number"),
    ('[database]\nadmin_password_version = 0', "is not a positive integer"),
    ('[state]\nbucket = "gs://my-state"', "give the bucket name only: my-state"),
    ('[project2]\nx = 1', "project2: unknown section"),
    ('[images]\napi_image = "x"', "images.api_image: unknown key"),
    ('[phases.huge.api]\ncpu = "4"', "phases.huge: unknown phase"),
    ('[phases.mvp.redis]\ntier = "BASIC"', "phase mvp has no table 'redis'"),
    ('[phases.mvp.api]\ncpus = "2"', "phases.mvp.api.cpus: unknown key"),
    ('[phases.mvp.api]\nmax_instances = "5"', "phases.mvp.api.max_instances: expected an integer"),
    ('[phases.mvp.api]\nmax_instances = 2.5', "expected an integer"),
    ('[phases.mvp.database]\npoint_in_time_recovery = "yes"', "expected true or false"),
    ('[phases.mvp.secrets]\nnames = ["a", 3]', "expected a list like"),
    ('[phases.growth.connector]\negress = "peering"', "phases.growth.connector.egress: 'peering' is not one of connector, direct"),
    ('[usage.mvp]\nrequests = 5', "usage.mvp.requests: unknown key"),
    ('[project.labels]\nTeam = "x"', "label key 'Team' is invalid"),
])
def test_bad_sections(root: Path, section: str, expected: str) -> None:
    toml = GOOD + "\n" + section + "\n"
    if section.startswith("[images]"):
        toml = GOOD.replace("[images]\n", "[images]\n" + section.split("\n", 1)[1] + "\n")
    if section.startswith("[project.labels]"):
        toml = GOOD.replace('alert_email = "ops@example.com.br"\n', 'alert_email = "ops@example.com.br"\nlabels = { Team = "x" }\n')
    assert any(expected in line for line in problems(root, toml)), problems(root, toml)


def test_every_problem_is_reported_at_once(root: Path) -> None:
    lines = problems(root, '[project]\nid = "X"\nregion = "nowhere"\n', env={"PVCTL_ALERT_EMAIL": "bad"})
    assert [ln.split(":")[0] for ln in lines] == ["project.id", "project.region", "PVCTL_ALERT_EMAIL"]
    assert all(" — " in ln for ln in lines)   # each names the fix


def test_bad_env_values_name_the_variable(root: Path) -> None:
    lines = problems(
        root, GOOD, env={"PVCTL_DELETION_PROTECTION": "maybe", "PVCTL_BUDGET_USD": "ten", "PVCTL_DB_ADMIN_PASSWORD_VERSION": "2.5"}
    )
    assert lines[0].startswith("PVCTL_DELETION_PROTECTION: 'maybe' is not a boolean")
    assert lines[1].startswith("PVCTL_BUDGET_USD: 'ten' is not a number")
    assert lines[2].startswith("PVCTL_DB_ADMIN_PASSWORD_VERSION: '2.5' is not a whole number")


def test_overrides_are_kept_with_their_source(root: Path) -> None:
    cfg = load(
        root,
        GOOD
        + '[phases.scale.database]\ntier = "db-custom-2-7680"\n[phases.growth.monitoring]\ncpu_utilization_threshold = 1\n'
        '[usage.mvp]\nrequests_per_month = 500000\n',
    )
    assert cfg.phase_overrides == {
        "scale": {"database": {"tier": "db-custom-2-7680"}},
        "growth": {"monitoring": {"cpu_utilization_threshold": 1}},
    }
    assert cfg.usage_overrides == {"mvp": {"requests_per_month": 500000}}
    assert cfg.sources["phases.scale.database.tier"] == "pvctl.toml"


def test_direct_vpc_egress_is_an_accepted_override(root: Path) -> None:
    cfg = load(root, GOOD + '[phases.growth.connector]\negress = "direct"\n')
    assert cfg.phase_overrides == {"growth": {"connector": {"egress": "direct"}}}


def test_missing_file_falls_back_to_the_example_with_a_warning(root: Path) -> None:
    (root / "pvctl.example.toml").write_text(GOOD)
    cfg = load_config(repo_root=root, env={})
    assert cfg.from_example and cfg.sources["project_id"] == "pvctl.example.toml"
    assert "copy it to pvctl.toml" in cfg.warnings[0]
    with pytest.raises(ConfigError) as caught:
        cfg.require_real_file()
    assert "copy pvctl.example.toml to pvctl.toml" in caught.value.lines()[0]


def test_the_committed_example_is_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    cfg = load_config(repo_root=repo, config_path=repo / "pvctl.example.toml", env={})
    for phase in ("mvp", "growth", "scale"):
        cfg.require_for_phase(phase)


def test_phase_requirements(root: Path) -> None:
    cfg = load(root, GOOD.replace('alert_email = "ops@example.com.br"\n', ""))
    cfg.require_for_phase("mvp")
    with pytest.raises(ConfigError) as caught:
        cfg.require_for_phase("scale")
    assert [ln.split(":")[0] for ln in caught.value.lines()] == ["images.bff", "project.alert_email"]


def test_repo_root_is_found_from_a_subfolder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "pvctl.toml").write_text(GOOD)
    (root / "environments" / "mvp").mkdir()
    monkeypatch.chdir(root / "environments" / "mvp")
    assert load_config(env={}).repo_root == root.resolve()
    with pytest.raises(ConfigError, match="PVCTL_REPO"):
        load_config(env={"PVCTL_REPO": str(root / "environments")})
