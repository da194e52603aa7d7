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
