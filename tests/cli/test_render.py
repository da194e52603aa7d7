"""Rendering: tfvars keys are the composition's variables; backend selection per mode."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from pvctl.core.config import load_config
from pvctl.core.errors import ConfigError
from pvctl.core.phases import SLO_ALERT_KEYS, slo_thresholds
from pvctl.core.render import render_phase, render_tfvars

MAIN_REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "environments"
TOML = """\
[project]
id = "pv-prod-123"
domain = "app.example.com.br"
alert_email = "ops@example.com.br"
labels = { team = "vendas" }

[images]
api = "southamerica-east1-docker.pkg.dev/pv-prod-123/app/api:1.2.3"
bff = "southamerica-east1-docker.pkg.dev/pv-prod-123/app/bff:1.2.3"
"""


# Set only by pvctl's protected apply (TF_VAR_deletion_protection_lifted), never rendered.
NOT_RENDERED = {"deletion_protection_lifted"}


def declared_inputs(variables_tf: str) -> set[str]:
    """Variable names a root module takes from tfvars (ephemeral ones come from TF_VAR_*)."""
    names = set()
    for match in re.finditer(r'variable\s+"([^"]+)"\s*\{', variables_tf):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(variables_tf[i], 0)
            i += 1
        if not re.search(r"\bephemeral\s*=\s*true\b", variables_tf[match.end():i]) and match.group(1) not in NOT_RENDERED:
            names.add(match.group(1))
    return names


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(MAIN_REPO / "templates", tmp_path / "templates")
    (tmp_path / "modules").mkdir()
    for phase in ("mvp", "growth", "scale"):
        (tmp_path / "environments" / phase).mkdir(parents=True)
        (tmp_path / "environments" / phase / "main.tf").write_text('terraform {\n  backend "gcs" {}\n}\n')
    (tmp_path / "pvctl.toml").write_text(TOML)
    return tmp_path


def config(repo: Path, extra: str = "", env: dict | None = None):
    (repo / "pvctl.toml").write_text(TOML + extra)
    return load_config(repo_root=repo, env=env or {})


@pytest.mark.parametrize("phase", ["mvp", "scale"])
def test_tfvars_keys_match_fixture_variables(repo: Path, phase: str) -> None:
    declared = declared_inputs((FIXTURES / phase / "variables.tf").read_text())
    assert set(render_tfvars(config(repo), phase)) == declared


@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_tfvars_keys_are_inputs_of_the_composition(phase: str) -> None:
    """Every rendered key is a variable of environments/; the ones left out have defaults (a table
    the phase lacks is null and turns its modules off)."""
    variables = (MAIN_REPO / "environments" / "variables.tf").read_text()
    cfg = load_config(repo_root=MAIN_REPO, config_path=MAIN_REPO / "pvctl.example.toml", env={})
    rendered = set(render_tfvars(cfg, phase))
    declared = declared_inputs(variables)
    assert rendered <= declared, sorted(rendered - declared)
    for name in declared - rendered:
        body = variables[variables.index(f'variable "{name}"'):]
        defaulted = re.search(r"^  default\s*=", body[:body.index("\n}\n")], re.M)
        assert defaulted, f"{phase}: {name} is neither rendered nor defaulted"
    assert {"phase", "phase_order"} <= rendered


def test_values_come_from_phases_toml_and_overrides(repo: Path) -> None:
    cfg = config(
        repo, '[phases.scale.database]\ntier = "db-custom-2-7680"\n[billing]\naccount = "01ABCD-23EF45-6789AB"\nbudget_usd = 600\n'
    )
    tfvars = render_tfvars(cfg, "scale")
    assert tfvars["database"]["tier"] == "db-custom-2-7680"
    assert tfvars["database"]["availability_type"] == "REGIONAL"  # untouched default
    assert tfvars["budget"] == {"amount_usd": 600.0, "alert_thresholds": [0.5, 0.8, 1.0]}
    assert tfvars["billing_account"] == "01ABCD-23EF45-6789AB"
    assert tfvars["labels"] == {"managed-by": "pvctl", "team": "vendas"}
    assert tfvars["api"]["public"] is False and tfvars["deletion_protection"] is True
    mvp = render_tfvars(config(repo), "mvp")
    assert "bff_image" not in mvp and "alert_email" not in mvp and "redis" not in mvp and "usage" not in mvp


def test_monitoring_carries_the_shared_slo_alert_thresholds(repo: Path) -> None:
    """The 5xx and p95 alert thresholds live once, in [slo] (the canary watch reads them too)."""
    slo = slo_thresholds()
    for phase in ("growth", "scale"):
        monitoring = render_tfvars(config(repo), phase)["monitoring"]
        assert {k: monitoring[k] for k in SLO_ALERT_KEYS} == {k: slo[k] for k in SLO_ALERT_KEYS}
        assert monitoring["error_5xx_ratio_threshold"] == 0.001 and monitoring["memory_utilization_threshold"] == 0.85
    assert "monitoring" not in render_tfvars(config(repo), "mvp")


def test_a_phases_file_from_before_the_slo_table_renders_its_monitoring_table_as_it_is(repo: Path, tmp_path: Path) -> None:
    """pvctl ci renders old base commits with their own phase data; their Terraform takes no [slo] keys."""
    text = (MAIN_REPO / "environments" / "phases.toml").read_text()
    legacy = tmp_path / "phases.toml"
    legacy.write_text(text[: text.index("\n[slo]\n")])
    cfg = dataclasses.replace(config(repo), phases_file=legacy)
    monitoring = render_tfvars(cfg, "scale")["monitoring"]
    assert not set(SLO_ALERT_KEYS) & set(monitoring) and monitoring["uptime_check_path"] == "/healthz"


def test_the_disaster_recovery_region_and_switch_come_from_phase_data_and_overrides(repo: Path) -> None:
    assert render_tfvars(config(repo), "scale")["disaster_recovery"] == {"region": "us-central1", "promoted": False}
    cfg = config(repo, '[phases.scale.disaster_recovery]\nregion = "us-east1"\npromoted = true\n')
    assert render_tfvars(cfg, "scale")["disaster_recovery"] == {"region": "us-east1", "promoted": True}
    assert "disaster_recovery" not in render_tfvars(config(repo), "growth")
    with pytest.raises(ConfigError) as caught:
        config(repo, '[phases.scale.disaster_recovery]\npromoted = "yes"\n')
    assert "phases.scale.disaster_recovery.promoted" in str(caught.value.problems)


def test_budget_defaults_to_no_billing_account(repo: Path) -> None:
    assert render_tfvars(config(repo), "scale")["billing_account"] == ""


def test_backend_selection_per_mode(repo: Path) -> None:
    cfg = config(repo, '[state]\nbucket = "pv-prod-123-tfstate"\nprefix = "infra"\n')
    live = render_phase(cfg, "mvp", "live")
    assert live.override is None and not (repo / "environments/mvp/pvctl_override.tf").exists()
    assert live.backend_config.read_text() == 'bucket = "pv-prod-123-tfstate"\nprefix = "infra"\n'
    assert json.loads(live.tfvars.read_text())["project_id"] == "pv-prod-123"

    offline = render_phase(cfg, "mvp", "offline")  # a bucket is configured, offline still never touches it
    assert offline.state_path == repo / ".pvctl/sandbox/pv-prod-123/terraform.tfstate"
    assert offline.backend_config.read_text() == f'path = "{offline.state_path}"\n'
    assert 'backend "local" {}' in offline.override.read_text()  # one text for every phase and state

    no_bucket = render_phase(config(repo), "mvp", "live")
    assert no_bucket.state_path == repo / ".pvctl/state/pv-prod-123/terraform.tfstate"
    assert "no state bucket configured" in no_bucket.override.read_text()
