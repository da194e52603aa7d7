"""The stand-in server gives Terraform the schemas of the types a root names, and Terraform behaves
as with the whole schema: declared types plan, types only the state holds are destroyed, a typo is
refused with the same suggestion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pvctl.offline.schema_subset import ENV_TYPES_FILE, requested_types, served_names
from pvctl.offline.used_types import command_types, config_types, state_types
from tests.offline.conftest import REPO_ROOT, make_workdir
from tests.offline.test_terraform import PROVIDER

ADDRESS = 'resource "google_compute_address" "ip" {\n  name = "ip"\n}\n'
REDIS = 'resource "google_redis_instance" "cache" {\n  name           = "cache"\n  memory_size_gb = 1\n}\n'


def test_a_root_names_its_own_types_and_those_of_the_modules_it_calls(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text('module "db" {\n  source = "../modules/db"\n}\n# google_in_a_comment counts too\n')
    (tmp_path / "modules" / "db" / "inner").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text(
        'resource "google_sql_database_instance" "db" {}\nmodule "u" {\n  source = "./inner"\n}\n')
    (tmp_path / "modules" / "db" / "inner" / "main.tf.json").write_text(json.dumps({"resource": {"google_sql_user": {"u": {}}}}))
    (tmp_path / "elsewhere").mkdir()  # a module only Terraform's manifest names (a source init fetched)
    (tmp_path / "elsewhere" / "main.tf").write_text('data "google_client_config" "me" {}\n')
    (tmp_path / "tfdata" / "modules").mkdir(parents=True)
    (tmp_path / "tfdata" / "modules" / "modules.json").write_text(json.dumps({"Modules": [{"Key": "x", "Dir": "../elsewhere"}]}))
    (tmp_path / "unrelated").mkdir()
    (tmp_path / "unrelated" / "main.tf").write_text('resource "google_storage_bucket" "b" {}\n')

    assert config_types(tmp_path / "root", tmp_path / "tfdata") == {
        "google_in_a_comment", "google_sql_database_instance", "google_sql_user", "google_client_config"}


def test_the_state_adds_the_types_it_holds(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"resources": [{"type": "google_redis_instance"}, {"type": "terraform_data"}]}))
    (tmp_path / "main.tf").write_text(ADDRESS)
    assert command_types(["plan"], tmp_path, state) == {"google_compute_address", "google_redis_instance"}
    assert command_types(["plan"], tmp_path) == {"google_compute_address", "google_redis_instance"}  # the local default
    assert state_types(tmp_path / "missing.tfstate") == set()


def test_block_types_count_however_they_are_spelt(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "google_compute-address" "a" {}\ndata Google_Zones "z" {}\n')
    (tmp_path / "more.tf.json").write_text(json.dumps({"resource": [{"googl_compute_address": {"c": {}}}], "data": {"x": {}}}))
    assert config_types(tmp_path) == {"google_compute-address", "Google_Zones", "googl_compute_address", "x",
                                      "google_compute"}  # a word too, which only costs a look for neighbours


def test_a_typo_brings_the_names_terraform_would_suggest() -> None:
    known = ["google_redis_instance", "google_redis_cluster", "google_compute_address"]
    assert served_names({"google_redis_instanc", "google_compute_address"}, known) == {"google_redis_instance", "google_compute_address"}
    assert served_names({"google_nothing_like_it"}, known) == set()


def test_without_a_file_of_types_the_whole_schema_is_served(tmp_path: Path) -> None:
    assert requested_types({}) is None
    assert requested_types({ENV_TYPES_FILE: str(tmp_path / "not-yet")}) is None
    (tmp_path / "types.txt").write_text("google_a\ngoogle_b\n")
    assert requested_types({ENV_TYPES_FILE: str(tmp_path / "types.txt")}) == {"google_a", "google_b"}


@pytest.fixture
def served(tmp_path: Path):
    """A work folder whose Terraform reaches google through the stand-in server, given the folder's
    types before each command as pvctl's runs do (tests/offline/conftest.py); a new server for each
    test, stopped after it."""
    from pvctl.offline.server import stop_all

    stop_all()
    yield make_workdir(tmp_path, None)
    stop_all()


def test_terraform_plans_and_destroys_through_the_subset(served) -> None:
    from pvctl.offline.server import shared_server, stop_all

    served.write("main.tf", PROVIDER + ADDRESS + REDIS)
    served.tf("init", "-input=false")
    served.tf("apply", "-input=false", "-auto-approve")
    assert shared_server(REPO_ROOT).types_file.read_text().split() == ["google_compute_address", "google_redis_instance"]

    served.write("main.tf", PROVIDER + ADDRESS)  # redis only in the state now, planned by the next run
    stop_all()
    plan = served.plan_json()
    assert {(c["address"], tuple(c["change"]["actions"])) for c in plan["resource_changes"]} == {
        ("google_compute_address.ip", ("no-op",)), ("google_redis_instance.cache", ("delete",))}


@pytest.mark.parametrize("typo, provider", [
    ("google_redis_instanc", ""), ("google_redis-instance", ""), ("Google_redis_instance", ""),
    ("googl_redis_instance", "  provider       = google\n"),
])
def test_a_mistyped_type_is_refused_as_with_the_whole_schema(served, tmp_path: Path, typo: str, provider: str) -> None:
    config = PROVIDER + REDIS.replace("google_redis_instance", typo).replace('  name ', provider + '  name ', 1)
    served.write("main.tf", config)
    served.tf("init", "-input=false")
    through_subset = served.tf("validate", ok=(1,)).stderr

    whole = make_workdir(tmp_path / "whole", None, plain=True)  # Terraform starts the stand-in, all of it
    whole.write("main.tf", config)
    whole.tf("init", "-input=false")
    with_everything = whole.tf("validate", ok=(1,)).stderr
    assert 'Did you mean "google_redis_instance"?' in " ".join(through_subset.split())
    assert through_subset == with_everything


def test_a_saved_plan_applies_with_the_types_it_was_made_with(served) -> None:
    """Terraform applies and shows a saved plan from the configuration it carries, whatever the files say now."""
    from pvctl.offline.server import stop_all

    served.write("main.tf", PROVIDER)
    served.write("extra.tf.json", json.dumps({"resource": {"google_compute_address": {"ip": {"name": "ip"}}}}))
    served.tf("init", "-input=false")
    served.tf("plan", "-input=false", "-out=plan.tfplan")
    (served.path / "extra.tf.json").unlink()
    stop_all()  # the next pvctl run: nothing on disk names the address any more
    shown = json.loads(served.tf("show", "-json", "plan.tfplan").stdout)
    assert [r["address"] for r in shown["planned_values"]["root_module"]["resources"]] == ["google_compute_address.ip"]
    served.tf("apply", "-input=false", "plan.tfplan")
