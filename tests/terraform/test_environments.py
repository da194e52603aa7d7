"""The phase roots match the input contract of docs/architecture.md and share addresses."""

from __future__ import annotations

import re

import pytest

from tests.terraform.hcl_facts import (
    ENVIRONMENTS, NOT_VARIABLES, attribute, blocks_in_dir, module_sources, object_attributes, phases,
)

PHASES = phases()
COMMON = {"project_id", "region", "domain", "name_prefix", "labels", "api_image", "deletion_protection",
          "images_managed_by_ci", "db_admin_password", "db_admin_password_version", "deletion_protection_lifted"}


def contract(phase: str) -> set[str]:
    tables = {t for t in PHASES[phase] if t not in NOT_VARIABLES}
    expected = COMMON | tables
    if phase == "scale":
        expected |= {"bff_image", "billing_account"}
    if "monitoring" in tables:
        expected.add("alert_email")
    return expected


def test_every_phase_has_a_root_and_nothing_else_does():
    assert {p.name for p in ENVIRONMENTS.iterdir() if p.is_dir()} == set(PHASES)


@pytest.mark.parametrize("phase", list(PHASES))
def test_declares_exactly_the_contract_variables(phase):
    declared = set(blocks_in_dir(ENVIRONMENTS / phase, "variable"))
    expected = contract(phase)
    assert declared == expected, f"missing {sorted(expected - declared)}, unexpected {sorted(declared - expected)}"


@pytest.mark.parametrize("phase", list(PHASES))
def test_table_objects_have_exactly_the_table_keys(phase):
    variables = blocks_in_dir(ENVIRONMENTS / phase, "variable")
    for table, values in PHASES[phase].items():
        if table in NOT_VARIABLES:
            continue
        assert object_attributes(variables[table]) == list(values), f"{phase}.{table}"


def _hcl_type(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list(number)" if value and all(isinstance(v, (int, float)) for v in value) else "list(string)"


@pytest.mark.parametrize("phase", list(PHASES))
def test_table_attribute_types_follow_the_toml_types(phase):
    variables = blocks_in_dir(ENVIRONMENTS / phase, "variable")
    for table, values in PHASES[phase].items():
        if table in NOT_VARIABLES:
            continue
        for key, value in values.items():
            declared = re.search(rf"^\s+{key}\s*=\s*(\S+)\s*$", variables[table], re.M).group(1)
            assert declared == _hcl_type(value), f"{phase}.{table}.{key}: {declared}"


@pytest.mark.parametrize("phase", list(PHASES))
def test_admin_password_is_ephemeral_and_sensitive(phase):
    body = blocks_in_dir(ENVIRONMENTS / phase, "variable")["db_admin_password"]
    assert attribute(body, "ephemeral") == "true"
    assert attribute(body, "sensitive") == "true"


@pytest.mark.parametrize("phase", list(PHASES))
def test_deletion_protection_defaults_on(phase):
    body = blocks_in_dir(ENVIRONMENTS / phase, "variable")["deletion_protection"]
    assert attribute(body, "default") == "true"


@pytest.mark.parametrize("phase", list(PHASES))
def test_phase_outputs_match_phases_toml(phase):
    outputs = blocks_in_dir(ENVIRONMENTS / phase, "output")
    assert attribute(outputs["phase"], "value") == f'"{phase}"'
    assert attribute(outputs["phase_order"], "value") == str(PHASES[phase]["order"])


@pytest.mark.parametrize("phase", list(PHASES))
def test_gcs_backend_with_partial_configuration(phase):
    versions = (ENVIRONMENTS / phase / "versions.tf").read_text()
    assert re.search(r'^  backend "gcs" \{\}$', versions, re.M)


def test_module_calls_shared_by_phases_use_the_same_source():
    # Same call name + same source => same resource addresses inside, so one
    # state carries a resource from phase to phase without replacement.
    sources = {phase: module_sources(ENVIRONMENTS / phase) for phase in PHASES}
    names = set().union(*(s.keys() for s in sources.values()))
    for name in sorted(names):
        used = {phase: s[name] for phase, s in sources.items() if name in s}
        assert len(set(used.values())) == 1, f"module {name}: {used}"


def test_stateful_and_edge_modules_exist_in_every_phase():
    sources = {phase: module_sources(ENVIRONMENTS / phase) for phase in PHASES}
    for name in ("network", "database", "secrets", "api", "edge", "connector"):
        assert all(name in s for s in sources.values()), name


def test_later_phases_keep_every_module_of_earlier_ones():
    ordered = sorted(PHASES, key=lambda p: PHASES[p]["order"])
    for earlier, later in zip(ordered, ordered[1:]):
        lost = set(module_sources(ENVIRONMENTS / earlier)) - set(module_sources(ENVIRONMENTS / later))
        assert not lost, f"{earlier} → {later} drops {sorted(lost)}"
