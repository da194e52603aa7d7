"""The committed provider schema: provenance (byte-identical rebuild) and known facts."""

from __future__ import annotations

import json

import pytest

from pvctl.offline import schema_build
from pvctl.offline.rules import rules_for
from pvctl.offline.schema import SCHEMA_FILE, load_schema
from tests.offline.conftest import REPO_ROOT


def _resource(name):
    found = load_schema().get("resource", name)
    assert found is not None, name
    return found.block


def test_rebuild_from_the_wheel_is_byte_identical():
    wheel = schema_build.download_wheel(REPO_ROOT / ".pvctl" / "cache" / "wheels")
    truncated: list[str] = []
    rebuilt = schema_build.encode(schema_build.build_schema(schema_build.index_files_of_wheel(wheel), truncated))
    assert rebuilt == SCHEMA_FILE.read_bytes()
    meta = json.loads(schema_build.meta_path_for(SCHEMA_FILE).read_text())
    import hashlib

    assert meta["source"]["wheel_sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert meta["truncated_recursive_blocks"] == sorted(truncated)


def test_document_has_terraform_shape():
    raw = json.loads(__import__("gzip").decompress(SCHEMA_FILE.read_bytes()))
    assert raw["format_version"] == "1.0"
    provider = raw["provider_schemas"]["registry.terraform.io/hashicorp/google"]
    assert set(provider) == {"provider", "resource_schemas", "data_source_schemas", "ephemeral_resource_schemas"}
    assert len(provider["resource_schemas"]) > 1300 and len(provider["data_source_schemas"]) > 400
    assert "alias" not in provider["provider"]["block"]["attributes"]  # a cdktn construct option, not an argument


def test_cloud_run_template_is_a_required_single_item_list_block():
    template = _resource("google_cloud_run_v2_service").block_types["template"]
    assert (template.nesting, template.min_items, template.max_items) == ("list", 1, 1)
    traffic = _resource("google_cloud_run_v2_service").block_types["traffic"]
    assert (traffic.nesting, traffic.max_items) == ("list", 0)
    conditions = _resource("google_cloud_run_v2_service").attributes["conditions"]
    assert conditions.computed and not conditions.optional and conditions.type[0] == "list"


def test_nested_and_top_level_argument_flags():
    ssl_mode = (
        _resource("google_sql_database_instance").block_types["settings"].block.block_types["ip_configuration"].block.attributes["ssl_mode"]
    )
    assert (ssl_mode.type, ssl_mode.optional, ssl_mode.required) == ("string", True, False)
    scheme = _resource("google_compute_backend_service").attributes["load_balancing_scheme"]
    assert scheme.optional and not scheme.required
    assert _resource("google_vpc_access_connector").attributes["name"].required
    labels = _resource("google_redis_instance").attributes["labels"]
    assert labels.type == ["map", "string"]
    timeouts = _resource("google_redis_instance").block_types["timeouts"]
    assert timeouts.nesting == "single"


@pytest.mark.parametrize("resource, attribute", [
    ("google_sql_user", "password_wo"),
    ("google_secret_manager_secret_version", "secret_data_wo"),
    ("google_sql_database_instance", "root_password_wo"),
])
def test_write_only_arguments(resource, attribute):
    attr = _resource(resource).attributes[attribute]
    assert attr.write_only and attr.optional and not attr.computed
    assert not _resource(resource).attributes[attribute + "_version"].write_only


def test_ephemeral_resources_are_included():
    schema = load_schema()
    secret = schema.get("ephemeral", "google_secret_manager_secret_version")
    assert secret is not None
    assert secret.block.attributes["secret"].required
    assert secret.block.attributes["secret_data"].sensitive
    assert "google_client_config" in schema.names("ephemeral")


def test_generated_rules_name_real_arguments_of_the_module_types():
    # Rules from the 8.0.0-line source against the 8.7.0 schema: every path of a type the
    # modules use must exist, or the stand-in would check an argument Terraform never sends.
    module_types = {"google_redis_instance", "google_sql_database_instance", "google_vpc_access_connector",
                    "google_cloud_run_v2_service", "google_compute_backend_service", "google_secret_manager_secret"}
    for type_name in module_types:
        for path in rules_for(type_name).attributes:
            block = _resource(type_name)
            *parents, leaf = path.split(".")
            for step in parents:
                block = block.block_types[step].block
            assert leaf in block.attributes or leaf in block.block_types, f"{type_name}.{path}"


def test_the_types_split_into_the_cache_are_the_documents_types(tmp_path, monkeypatch):
    """The stand-in reads each type's JSON from its cache, written once from the packaged document."""
    from pvctl.offline import schema
    from pvctl.offline.derived import ENV_CACHE_DIR

    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    first = schema.load_schema.__wrapped__()
    [cached] = tmp_path.glob("schema-types-*.bin")
    second = schema.load_schema.__wrapped__()  # from that file
    assert list(tmp_path.glob("schema-types-*.bin")) == [cached]
    whole = schema.raw_schema()["provider_schemas"][schema.PROVIDER_ADDRESS]
    for kind, section in schema._SECTION.items():
        assert first.names(kind) == second.names(kind) == sorted(whole[section])
        for name in ("google_sql_database_instance", "google_client_config", "google_secret_manager_secret_version"):
            if name in whole[section]:
                raw = whole[section][name]
                schema.mark_sensitive(kind, name, raw)
                assert second.get(kind, name).block.raw == raw["block"], (kind, name)
    schema.mark_sensitive("provider", "google", whole["provider"])
    assert second.provider.block.raw == whole["provider"]["block"]
