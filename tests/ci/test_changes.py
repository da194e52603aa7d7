"""planning/changes.py: the changed attribute paths of a plan, masked, whole."""

import json
from pathlib import Path

from pvctl.planning.changes import (
    UNKNOWN,
    attribute_changes,
    path_text,
    resource_diffs,
    show,
)

FIXTURES = Path(__file__).parent / "fixtures"
SCALE = json.loads((FIXTURES / "plan_scale_change.json").read_text())   # a real offline plan: scale, tier up, Redis tier down
SENSITIVE = json.loads((FIXTURES / "plan_sensitive.json").read_text())


def _by_address(plan):
    return {d.address: d for d in resource_diffs(plan)}


def test_a_real_plan_names_the_changed_paths():
    diffs = _by_address(SCALE)
    sql = diffs["module.database.google_sql_database_instance.primary"]
    assert [a.line() for a in sql.attributes] == ["settings.tier: db-custom-1-3840 → db-custom-2-7680"]
    api = diffs["module.api.module.service.google_cloud_run_v2_service.managed[0]"]
    assert "template.scaling.max_instance_count: 5 → 10" in [a.line() for a in api.attributes]
    assert diffs["module.database.google_sql_database_instance.replica[0]"].attributes == ()   # a create lists no diff


def test_a_replacement_names_the_attribute_forcing_it():
    redis = _by_address(SCALE)["module.redis.google_redis_instance.this"]
    assert redis.action == "replace" and redis.replaced_because == ("tier",)
    assert [a.line() for a in redis.attributes if a.forces_replacement] == ["tier: STANDARD_HA → BASIC"]
    assert all(a.after == UNKNOWN for a in redis.attributes if not a.forces_replacement)


def test_sensitive_values_are_compared_but_never_shown():
    diffs = _by_address(SENSITIVE)
    assert [a.line() for a in diffs["google_sql_user.admin"].attributes] == ["password: (sensitive) → (sensitive)"]
    text = json.dumps([d.as_json() for d in diffs.values()])
    for secret in ("hunter2-old-db-password", "s3cr3t-new-db-password-XYZ", "wa-token-ABC123-sensitive"):
        assert secret not in text


def test_a_sensitive_block_is_not_opened():
    change = {"actions": ["update"], "before": {"conf": [{"user": "a", "token": "old-token-123"}]},
              "after": {"conf": [{"user": "b", "token": "new-token-456"}]}, "after_unknown": {},
              "before_sensitive": {"conf": True}, "after_sensitive": {"conf": True}}
    assert [a.line() for a in attribute_changes(change)] == ["conf: (sensitive) → (sensitive)"]


def test_values_are_whole_and_lists_indexed_only_when_needed():
    long = "x" * 500
    change = {"actions": ["update"], "after_unknown": {},
              "before": {"metadata": [{"annotations": {"a": long}}], "args": ["--a"], "ports": [{"n": 1}, {"n": 2}]},
              "after": {"metadata": [{"annotations": {"a": long + "y"}}], "args": ["--a", "--b"], "ports": [{"n": 1}, {"n": 3}]}}
    lines = {a.path: (a.before, a.after) for a in attribute_changes(change)}
    assert lines["metadata.annotations.a"] == (long, long + "y")               # one-element block: no [0]; nothing cut
    assert lines["args"] == ('["--a"]', '["--a", "--b"]')                       # a list of strings is one value
    assert lines["ports[1].n"] == ("2", "3")
    assert set(lines) == {"metadata.annotations.a", "args", "ports[1].n"}


def test_added_block_lists_its_leaves():
    change = {"actions": ["update"], "after_unknown": {}, "before": {"backup": []},
              "after": {"backup": [{"enabled": True, "start_time": "03:00", "location": None}]}}
    assert [a.line() for a in attribute_changes(change)] == ["backup.enabled: null → true", "backup.start_time: null → 03:00"]


def test_paths_and_values_read_like_hcl():
    before = {"template": [{"containers": [{"env": [{"name": "A"}, {"name": "B"}]}]}]}
    assert path_text(("template", 0, "containers", 0, "env", 1, "value"), before, before) == "template.containers.env[B].value"
    assert show("") == '""' and show(" padded") == '" padded"' and show(None) == "null" and show(5) == "5"
    assert show("two\nlines") == '"two\\nlines"'


def _json_attribute_change(before: object, after: object, sensitive: bool = False) -> dict:
    marks = {"dashboard_json": True} if sensitive else {}
    return {"actions": ["update"], "before": {"dashboard_json": json.dumps(before)},
            "after": {"dashboard_json": json.dumps(after)}, "after_unknown": {},
            "before_sensitive": marks, "after_sensitive": marks}


def test_a_json_document_in_a_string_diffs_by_path_inside_it():
    """A dashboard is one JSON string: a one-widget change names that widget's field, not two copies of
    the whole document (which no comment can hold)."""
    widgets = [{"title": f"w{i}", "xyChart": {"thresholds": [{"value": 700}]}} for i in range(300)]
    changed = json.loads(json.dumps(widgets))
    changed[7]["xyChart"]["thresholds"][0]["value"] = 500
    lines = [a.line() for a in attribute_changes(_json_attribute_change({"widgets": widgets}, {"widgets": changed}))]
    assert lines == ["dashboard_json.widgets[7].xyChart.thresholds.value: 700 → 500"]


def test_a_json_string_that_only_changes_its_spelling_still_shows_a_change():
    change = _json_attribute_change({"a": 1}, {"a": 1})
    change["after"]["dashboard_json"] = '{"a":1}'
    assert [a.path for a in attribute_changes(change)] == ["dashboard_json"]


def test_a_sensitive_json_string_is_not_opened():
    found = attribute_changes(_json_attribute_change({"token": "old-secret"}, {"token": "new-secret"}, sensitive=True))
    assert [a.path for a in found] == ["dashboard_json"] and "secret" not in repr(found)


def _value(name: str, value: str) -> dict:
    return {"name": name, "value": value, "value_source": []}


def _secret(name: str, secret: str) -> dict:
    return {"name": name, "value": None, "value_source": [{"secret_key_ref": [{"secret": secret, "version": "latest"}]}]}


def _env_change(before_env: list, after_env: list, after_unknown_env: list | None = None, **marks) -> dict:
    """A Cloud Run v2 service update whose only change is its container's env, as plan JSON holds it."""
    def service(env):
        return {"name": "pv-api", "template": [{"containers": [{"image": "api:1", "env": env}], "scaling": [{"max_instance_count": 5}]}]}
    unknown = {"template": [{"containers": [{"env": after_unknown_env or [{} for _ in after_env]}], "scaling": [{}]}]}
    return {"actions": ["update"], "before": service(before_env), "after": service(after_env), "after_unknown": unknown, **marks}


def _env_lines(before_env: list, after_env: list, after_unknown_env: list | None = None, **marks) -> list[str]:
    """The changed attribute lines, each checked to lie under the container's env and shown from there."""
    lines = [a.line() for a in attribute_changes(_env_change(before_env, after_env, after_unknown_env, **marks))]
    assert all(line.startswith("template.containers.env[") for line in lines), lines
    return [line.removeprefix("template.containers.env") for line in lines]


# mvp → growth: a memorystore adds five REDIS_* entries sorted in among the others.
MVP_ENV = [_value("DB_HOST", "192.0.2.168"), _value("DB_NAME", "app"), _secret("SESSION_SIGNING_KEY", "pv-session-signing-key"),
           _secret("WHATSAPP_TOKEN", "pv-whatsapp-token")]
GROWTH_ENV = [_value("DB_HOST", "192.0.2.168"), _value("DB_NAME", "app"), _secret("REDIS_AUTH", "pv-redis-auth"),
              _secret("REDIS_CA_CERT", "pv-redis-ca"), _value("REDIS_HOST", "10.0.0.3"), _value("REDIS_PORT", "6378"),
              _value("REDIS_TLS", "true"), _secret("SESSION_SIGNING_KEY", "pv-session-signing-key"),
              _secret("WHATSAPP_TOKEN", "pv-whatsapp-token")]


def test_env_entries_inserted_in_the_middle_are_matched_by_name():
    """Kept entries are not reported though their positions shift; each added entry is named once,
    by its name, never as an index whose old occupant seems renamed or its secret removed."""
    assert _env_lines(MVP_ENV, GROWTH_ENV) == [
        "[REDIS_AUTH].value_source.secret_key_ref.secret: null → pv-redis-auth",
        "[REDIS_AUTH].value_source.secret_key_ref.version: null → latest",
        "[REDIS_CA_CERT].value_source.secret_key_ref.secret: null → pv-redis-ca",
        "[REDIS_CA_CERT].value_source.secret_key_ref.version: null → latest",
        "[REDIS_HOST].value: null → 10.0.0.3",
        "[REDIS_PORT].value: null → 6378",
        "[REDIS_TLS].value: null → true",
    ]


def test_env_entries_removed_and_changed_are_named_once():
    after = [_value("DB_HOST", "192.0.2.7"), _secret("SESSION_SIGNING_KEY", "pv-session-signing-key"),
             _secret("WHATSAPP_TOKEN", "pv-whatsapp-token-v2")]
    assert _env_lines(MVP_ENV, after) == [
        "[DB_HOST].value: 192.0.2.168 → 192.0.2.7",
        "[WHATSAPP_TOKEN].value_source.secret_key_ref.secret: pv-whatsapp-token → pv-whatsapp-token-v2",
        "[DB_NAME].value: app → null",
    ]


def test_a_named_entry_keeps_its_sensitive_value_masked_and_unknowns_follow_it():
    before = [_value("DB_HOST", "192.0.2.168"), _value("API_KEY", "k3y-old-value")]
    after = [_value("APP_MODE", "growth"), _value("DB_HOST", "192.0.2.168"), _value("API_KEY", "k3y-new-value"),
             {"name": "DB_HOST_IP", "value_source": []}]
    marks = {"before_sensitive": {"template": [{"containers": [{"env": [{}, {"value": True}]}]}]},
             "after_sensitive": {"template": [{"containers": [{"env": [{}, {}, {"value": True}, {}]}]}]}}
    unknown = [{}, {}, {}, {"value": True}]
    lines = _env_lines(before, after, unknown, **marks)
    assert lines == ["[APP_MODE].value: null → growth", "[API_KEY].value: (sensitive) → (sensitive)",
                     "[DB_HOST_IP].value: null → (known after apply)"]
    assert "k3y" not in repr(lines)


def test_an_entry_with_nothing_but_its_name_is_still_reported():
    assert _env_lines(MVP_ENV, [*MVP_ENV, _value("EMPTY", None)]) == ["[EMPTY].name: null → EMPTY"]


def test_lists_without_distinct_names_are_matched_by_position():
    change = {"actions": ["update"], "after_unknown": {},
              "before": {"rule": [{"name": "a", "n": 1}, {"name": "a", "n": 2}]},
              "after": {"rule": [{"name": "a", "n": 1}, {"name": "a", "n": 3}]}}
    assert [a.line() for a in attribute_changes(change)] == ["rule[1].n: 2 → 3"]
