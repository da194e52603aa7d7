"""Every module and the composition have the agreed files, and every variable and output explains itself."""

from __future__ import annotations

import re

import pytest

from tests.terraform.hcl_facts import ENVIRONMENTS, MODULES, blocks_in_dir

MODULE_FILES = {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"}
ROOT_FILES = MODULE_FILES | {"moved.tf", "phases.toml"}
EXPECTED_MODULES = {
    "network", "vpc_connector", "cloud_run_api", "cloud_run_bff", "lb_cdn_armor",
    "cloudsql", "memorystore", "secrets", "monitoring",
}
MODULE_FOLDERS = sorted(p for p in MODULES.iterdir() if p.is_dir())
ALL_FOLDERS = [*MODULE_FOLDERS, ENVIRONMENTS]


def test_the_modules_the_user_asked_for_exist():
    assert EXPECTED_MODULES <= {p.name for p in MODULES.iterdir() if p.is_dir()}


@pytest.mark.parametrize("folder", ALL_FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_folder_has_the_agreed_files(folder):
    missing = (ROOT_FILES if folder == ENVIRONMENTS else MODULE_FILES) - {p.name for p in folder.iterdir()}
    assert not missing, f"{folder.name} lacks {sorted(missing)}"


def test_the_composition_is_the_only_root():
    """Phases are data: no per-phase folder holds Terraform code."""
    assert not [p for p in ENVIRONMENTS.rglob("*.tf") if p.parent != ENVIRONMENTS and p.name != "pvctl_override.tf"]


@pytest.mark.parametrize("folder", MODULE_FOLDERS, ids=lambda p: p.name)
def test_every_module_has_an_example(folder):
    assert list(folder.glob("examples/*/main.tf")), f"{folder.name} has no examples/<name>/main.tf"


@pytest.mark.parametrize("folder", ALL_FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_variable_has_description_and_type(folder):
    variables = blocks_in_dir(folder, "variable")
    assert variables, f"{folder.name} declares no variables"
    for name, body in variables.items():
        assert re.search(r"^  description\s*=\s*\"\S", body, re.M), f"{folder.name}: variable {name} has no description"
        assert re.search(r"^  type\s*=", body, re.M), f"{folder.name}: variable {name} has no type"


@pytest.mark.parametrize("folder", ALL_FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_output_has_a_description(folder):
    for name, body in blocks_in_dir(folder, "output").items():
        assert re.search(r"^  description\s*=", body, re.M), f"{folder.name}: output {name} has no description"


@pytest.mark.parametrize("folder", MODULE_FOLDERS, ids=lambda p: p.name)
def test_modules_accept_google_8x_and_terraform_1_11(folder):
    versions = (folder / "versions.tf").read_text()
    assert 'required_version = ">= 1.11"' in versions
    assert 'source  = "hashicorp/google"' in versions
    assert 'version = ">= 8.0, < 9.0"' in versions
    # The offline stand-in serves only hashicorp/google; any other provider breaks offline plans.
    sources = re.findall(r'source\s*=\s*"([^"]+/[^"]+)"', versions)
    assert sources == ["hashicorp/google"], f"{folder.name} requires other providers: {sources}"


def test_only_the_google_provider_and_builtins_are_used():
    offenders = []
    for tf in sorted(MODULES.rglob("*.tf")) + sorted(ENVIRONMENTS.rglob("*.tf")):
        text = tf.read_text()
        for kind, name in re.findall(r'^(resource|data|ephemeral) "([a-z0-9_]+)"', text, re.M):
            if not (name.startswith("google_") or name == "terraform_data"):
                offenders.append(f"{tf.relative_to(MODULES.parent)}: {kind} {name}")
        if "google-beta" in text:
            offenders.append(f"{tf.relative_to(MODULES.parent)}: google-beta")
    assert not offenders


def test_every_checkov_skip_states_a_reason():
    skips = []
    for tf in sorted(MODULES.rglob("*.tf")) + sorted(ENVIRONMENTS.rglob("*.tf")):
        for line in tf.read_text().splitlines():
            if "checkov:skip=" in line:
                skips.append((tf.name, line.strip()))
    assert skips, "expected the documented skips (CKV_GCP_6, CKV_GCP_79, …)"
    for name, line in skips:
        match = re.match(r"# checkov:skip=(CKV2?_GCP_\d+):(.{30,})$", line)
        assert match, f"{name}: skip without a written reason: {line}"


def test_cloud_run_variants_differ_only_in_lifecycle():
    # The module declares the service twice because ignore_changes must be static;
    # any other difference between the two would make images_managed_by_ci change
    # more than image ownership.
    blocks = blocks_in_dir(MODULES / "cloud_run_service", "resource")

    def normalised(body: str) -> list[str]:
        body = re.sub(r"\n  lifecycle \{.*?\n  \}\n", "\n", body, flags=re.S)
        lines = [line.strip() for line in body.splitlines()]
        return [line for line in lines if line and not line.startswith(("#", "count "))]

    managed = normalised(blocks["google_cloud_run_v2_service.managed"])
    ci = normalised(blocks["google_cloud_run_v2_service.ci_deployed"])
    assert managed == ci
    assert "ignore_changes = [template[0].containers[0].image, client, client_version]" in blocks["google_cloud_run_v2_service.ci_deployed"]
