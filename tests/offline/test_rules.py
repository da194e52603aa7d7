"""The provider rules: derived from Go source (builder), shipped with provenance, checked like the provider."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest
from pvctl.offline import diff_rules, rules_build
from pvctl.offline.checks import check_config
from pvctl.offline.cty import UNKNOWN
from pvctl.offline.immutable import requires_replace
from pvctl.offline.rules import RULES_FILE, document, rules_for, sensitive_paths, source, version_note


def _block(type_name: str):
    from pvctl.offline.schema import load_schema

    return load_schema().get("resource", type_name).block


MIRROR = Path(os.environ.get("PVCTL_PROVIDER_SOURCE", "/work/.mirror/hashicorp+terraform-provider-google/repo"))

# A provider-shaped Go package: a registration, a schema built by a function, a nested
# block from a helper, a named validator, a delete guard and a CustomizeDiff policy.
GO_SOURCE = {
    "google/verify/validation.go": '''package verify

func ValidateGCEName(v interface{}, k string) (ws []string, errors []error) {
	re := `^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$`
	return ValidateRegexp(re)(v, k)
}
''',
    "google/services/widget/resource_widget.go": '''package widget

func init() {
	registry.Schema{
		Name:        "google_widget",
		ProductName: "widget",
		Type:        registry.SchemaTypeResource,
		Schema:      ResourceWidget(),
	}.Register()
}

func ResourceWidget() *schema.Resource {
	return &schema.Resource{
		Delete: resourceWidgetDelete,
		CustomizeDiff: customdiff.All(
			tpgresource.DefaultProviderDeletionPolicy("DELETE"),
		),
		Schema: map[string]*schema.Schema{
			"name": {
				Type:         schema.TypeString,
				Required:     true,
				ForceNew:     true,
				ValidateFunc: verify.ValidateGCEName,
			},
			"size": {
				Type:         schema.TypeInt,
				Optional:     true,
				Default:      3,
				ValidateFunc: validation.IntBetween(1, 10),
			},
			"mode": {
				Type:          schema.TypeString,
				Optional:      true,
				ValidateFunc:  verify.ValidateEnum([]string{"FAST", "SLOW", ""}),
				ConflictsWith: []string{"settings.0.speed"},
			},
			"token": {
				Type:      schema.TypeString,
				Optional:  true,
				Sensitive: true,
			},
			"tags": {
				Type:     schema.TypeList,
				Optional: true,
				MaxItems: 2,
				Elem:     &schema.Schema{Type: schema.TypeString},
			},
			"settings": {
				Type:     schema.TypeList,
				Optional: true,
				MaxItems: 1,
				Elem:     widgetSettingsSchema(),
			},
		},
	}
}

func widgetSettingsSchema() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"speed": {
				Type:     schema.TypeString,
				Optional: true,
				ForceNew: true, // a comment with a brace }
			},
		},
	}
}

func resourceWidgetDelete(d *schema.ResourceData, meta interface{}) error {
	if d.Get("deletion_protection").(bool) {
		return fmt.Errorf("cannot destroy widget without setting deletion_protection=false")
	}
	return nil
}
''',
}


def test_builder_reads_schema_literals_through_functions_and_helpers():
    body, unparsed = rules_build.build(GO_SOURCE)
    assert unparsed == []
    widget = body["resources"]["google_widget"]
    attrs = widget["attributes"]
    gce_name = "^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$"
    assert attrs["name"] == {"force_new": True, "validate": [{"kind": "regex", "pattern": gce_name}]}
    assert attrs["size"] == {"default": 3, "validate": [{"kind": "range", "min": 1, "max": 10}]}
    assert attrs["mode"]["conflicts_with"] == ["settings.speed"]
    assert attrs["mode"]["validate"][0]["values"] == ["FAST", "SLOW", ""]
    assert attrs["tags"] == {"max_items": 2}
    assert attrs["settings.speed"] == {"force_new": True}
    assert widget["delete_guards"] == [{"attribute": "deletion_protection", "equals": True,
                                        "message": "cannot destroy widget without setting deletion_protection=false"}]
    assert widget["deletion_policy_default"] == "DELETE"
    assert body["sensitive"]["resource"]["google_widget"] == ["token"]


def test_rules_file_names_its_source_and_licence():
    src = source()
    assert src["repository"] == "https://github.com/hashicorp/terraform-provider-google"
    assert len(src["commit"]) == 40 and src["license"] == "MPL-2.0" and "MPL-2.0" in src["attribution"]
    assert src["provider_version"] == "8.0.0"
    assert document()["unparsed_resources"] == []


@pytest.mark.skipif(not (MIRROR / "HEAD").exists(), reason="no local mirror of hashicorp/terraform-provider-google")
def test_committed_rules_rebuild_byte_identically_from_the_mirror(tmp_path):
    out = tmp_path / "rules.json.gz"
    commit = source()["commit"]
    assert rules_build.main(["--source", str(MIRROR), "--rev", commit, "--out", str(out)]) == 0
    assert out.read_bytes() == RULES_FILE.read_bytes()


def test_version_note_only_when_rule_and_schema_versions_differ():
    assert version_note(source()["provider_version"]) is None
    note = version_note("8.7.0")
    assert note and "8.0.0" in note and "8.7.0" in note and source()["commit"][:12] in note


def test_sensitive_flags_come_from_the_source():
    assert sensitive_paths("resource", "google_redis_instance") == ["auth_string"]
    assert "password" in sensitive_paths("resource", "google_sql_user")
    assert sensitive_paths("ephemeral", "google_secret_manager_secret_version") == ["secret_data"]
    assert sensitive_paths("resource", "google_compute_network") == []
    from pvctl.offline.schema import load_schema

    redis = load_schema().get("resource", "google_redis_instance").block.attributes
    assert redis["auth_string"].sensitive and not redis["host"].sensitive


# --- each validator kind: the provider rejects the wrong value, accepts the right one ---------

@pytest.mark.parametrize("type_name, wrong, right, message", [
    # enum (verify.ValidateEnum)
    ("google_redis_instance", {"tier": "PREMIUM"}, {"tier": "STANDARD_HA"},
     'expected tier to be one of ["BASIC" "STANDARD_HA" ""], got PREMIUM'),
    # regexp (verify.ValidateRegexp)
    ("google_redis_instance", {"name": "Cache_1"}, {"name": "cache-1"}, "doesn't match regexp"),
    # numeric range (validation.IntBetween)
    ("google_vpc_access_connector", {"network": "n", "min_throughput": 100}, {"network": "n", "min_throughput": 200},
     "expected min_throughput to be in the range (200 - 1000), got 100"),
    # string length (validation.StringLenBetween)
    ("google_service_account", {"description": "x" * 257}, {"description": "runtime identity"},
     "expected length of description to be in the range (0 - 256)"),
    # list elements (Elem validators)
    ("google_monitoring_alert_policy", {"alert_strategy": [{"notification_prompts": ["OPENED", "LATER"]}]},
     {"alert_strategy": [{"notification_prompts": ["OPENED", "CLOSED"]}]}, "alert_strategy.0.notification_prompts.1"),
    # MaxItems of a list of plain values
    ("google_billing_budget", {"all_updates_rule": [{"monitoring_notification_channels": [f"c{i}" for i in range(6)]}]},
     {"all_updates_rule": [{"monitoring_notification_channels": ["c1"]}]}, "attribute supports 5 item maximum"),
    # ConflictsWith
    ("google_vpc_access_connector", {"network": "n", "min_instances": 2, "min_throughput": 200},
     {"network": "n", "min_instances": 2}, '"min_instances": conflicts with min_throughput'),
    # ExactlyOneOf (both, and neither)
    ("google_vpc_access_connector", {"network": "n", "subnet": [{"name": "s"}]}, {"subnet": [{"name": "s"}]},
     "only one of `network,subnet.name` can be specified"),
    ("google_vpc_access_connector", {}, {"network": "n"}, "one of `network,subnet.name` must be specified"),
    # AtLeastOneOf (inside a present block)
    ("google_billing_budget", {"all_updates_rule": [{"schema_version": "1.0"}]},
     {"all_updates_rule": [{"pubsub_topic": "projects/p/topics/t"}]},
     "one of `all_updates_rule.monitoring_notification_channels,all_updates_rule.pubsub_topic` must be specified"),
    # RequiredWith
    ("google_sql_user", {"password_wo": "x"}, {"password_wo": "x", "password_wo_version": 1},
     "all of `password_wo_version`"),
    # documented-only limit (website/docs/r/vpc_access_connector.html.markdown)
    ("google_vpc_access_connector", {"network": "n", "name": "a" * 26}, {"network": "n", "name": "a" * 25},
     "name must be at most 25 characters"),
])
def test_each_validator_kind(type_name, wrong, right, message):
    problems = check_config(type_name, wrong)
    assert any(message in p.summary for p in problems), [p.summary for p in problems]
    assert all(p.detail.startswith(("Provider rule:", "Documented provider limit")) for p in problems)
    assert check_config(type_name, right) == []


def test_problem_paths_lead_to_the_offending_value():
    config = {"maintenance_policy": [{"weekly_maintenance_window": [{"day": "MONDAY", "start_time": [{"hours": 24}]}]}]}
    [problem] = check_config("google_redis_instance", config)
    assert problem.path == ("maintenance_policy", 0, "weekly_maintenance_window", 0, "start_time", 0, "hours")
    where = "maintenance_policy.0.weekly_maintenance_window.0.start_time.0.hours"
    assert problem.summary == f"expected {where} to be in the range (0 - 23), got 24"


def test_unknown_values_are_not_judged():
    assert check_config("google_redis_instance", {"tier": UNKNOWN, "name": UNKNOWN}) == []
    assert check_config("google_vpc_access_connector", {"network": UNKNOWN, "subnet": [{"name": "s"}]}) == []


# --- replacements: ForceNew from the source and the CustomizeDiff rules -----------------------

@pytest.mark.parametrize("type_name, prior, planned, path", [
    ("google_compute_firewall", {"direction": "INGRESS"}, {"direction": "EGRESS"}, ["direction"]),
    ("google_compute_router", {"network": "a"}, {"network": "b"}, ["network"]),
    ("google_compute_router_nat", {"router": "a"}, {"router": "b"}, ["router"]),
    ("google_compute_security_policy", {"type": "CLOUD_ARMOR"}, {"type": "CLOUD_ARMOR_EDGE"}, ["type"]),
    ("google_monitoring_uptime_check_config", {"monitored_resource": [{"type": "uptime_url"}]},
     {"monitored_resource": [{"type": "gce_instance"}]}, ["monitored_resource"]),
    ("google_sql_user", {"type": "BUILT_IN"}, {"type": "CLOUD_IAM_USER"}, ["type"]),
    ("google_redis_instance", {"tier": "BASIC"}, {"tier": "STANDARD_HA"}, ["tier"]),
    ("google_vpc_access_connector", {"min_instances": 3}, {"min_instances": 2}, ["min_instances"]),
    ("google_vpc_access_connector", {"max_instances": 10}, {"max_instances": 4}, ["max_instances"]),
    ("google_redis_instance", {"redis_version": "REDIS_7_2"}, {"redis_version": "REDIS_6_X"}, ["redis_version"]),
    ("google_sql_database_instance", {"settings": [{"ip_configuration": [{"private_network": "n"}]}]},
     {"settings": [{"ip_configuration": [{"private_network": None}]}]},
     ["settings", 0, "ip_configuration", 0, "private_network"]),
])
def test_replacement_rules(type_name, prior, planned, path):
    assert path in requires_replace(type_name, _block(type_name), prior, planned)


@pytest.mark.parametrize("type_name, prior, planned", [
    ("google_compute_global_forwarding_rule", {"load_balancing_scheme": "EXTERNAL"},
     {"load_balancing_scheme": "EXTERNAL_MANAGED"}),
    ("google_vpc_access_connector", {"min_instances": 2, "max_instances": 3},
     {"min_instances": 3, "max_instances": 10}),
    ("google_redis_instance", {"redis_version": "REDIS_6_X"}, {"redis_version": "REDIS_7_2"}),
    ("google_sql_database_instance", {"database_version": "POSTGRES_16"}, {"database_version": "POSTGRES_17"}),
])
def test_in_place_updates(type_name, prior, planned):
    assert requires_replace(type_name, _block(type_name), prior, planned) == []


def test_replace_paths_index_list_blocks_and_stop_at_sets():
    cert = _block("google_compute_managed_ssl_certificate")
    old, new = {"managed": [{"domains": ["a.example.com."]}]}, {"managed": [{"domains": ["b.example.com."]}]}
    paths = requires_replace("google_compute_managed_ssl_certificate", cert, old, new)
    assert paths == [["managed"], ["managed", 0, "domains"]]
    secret = _block("google_secret_manager_secret")
    old = {"replication": [{"user_managed": [{"replicas": [{"location": "us-east1"}]}]}]}
    new = {"replication": [{"user_managed": [{"replicas": [{"location": "us-east4"}]}]}]}
    paths = requires_replace("google_secret_manager_secret", secret, old, new)
    assert ["replication"] in paths and all(isinstance(p[-1], str) for p in paths)


def test_sql_disk_shrink_is_dropped_while_autoresize_is_on():
    prior = {"settings": [{"disk_size": 50, "disk_autoresize": True}]}
    for autoresize in (True, None):
        planned = {"settings": [{"disk_size": 20, "disk_autoresize": autoresize}]}
        assert diff_rules.adjust("google_sql_database_instance", prior, planned)["settings"][0]["disk_size"] == 50
    off = {"settings": [{"disk_size": 20, "disk_autoresize": False}]}
    assert diff_rules.adjust("google_sql_database_instance", prior, off)["settings"][0]["disk_size"] == 20
    grow = {"settings": [{"disk_size": 80, "disk_autoresize": True}]}
    assert diff_rules.adjust("google_sql_database_instance", prior, grow)["settings"][0]["disk_size"] == 80


def test_every_explicit_rule_cites_a_provider_file_that_exists():
    rules = (*diff_rules.REPLACE_IF_DECREASED, *diff_rules.REPLACE_IF_CLEARED, *diff_rules.KEEP_LARGER,
             *diff_rules.MAX_LENGTH)
    for rule in rules:
        assert rule.type_name in document()["resources"]
        path = rule.source.split(" ")[0]
        if (MIRROR / "HEAD").exists():
            found = subprocess.run(["git", "-C", str(MIRROR), "cat-file", "-e", f"{source()['commit']}:{path}"])
            assert found.returncode == 0, path


def test_delete_guards_carry_the_providers_messages():
    guards = {t: rules_for(t).delete_guards for t in ("google_redis_instance", "google_sql_database_instance",
                                                     "google_cloud_run_v2_service", "google_secret_manager_secret")}
    messages = {t: [g["message"] for g in gs if g["attribute"] == "deletion_protection"] for t, gs in guards.items()}
    assert messages["google_redis_instance"] == [
        "cannot destroy redis instance without setting deletion_protection=false and running `terraform apply`"]
    assert "deletion_protection is set to true" in messages["google_sql_database_instance"][0]
    assert messages["google_cloud_run_v2_service"] == [
        "cannot destroy service without setting deletion_protection=false and running `terraform apply`"]
    assert messages["google_secret_manager_secret"] == [
        "cannot destroy secret manager secret without setting deletion_protection=false and running `terraform apply`"]


def test_rules_file_is_compact():
    assert RULES_FILE.stat().st_size < 400_000
    assert json.loads(gzip.decompress(RULES_FILE.read_bytes()))["resources"]
