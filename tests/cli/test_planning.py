"""Plan JSON -> summary, guards and masking."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from pvctl.core.errors import GuardRefusal
from pvctl.core.repo import RepoPaths
from pvctl.engine import saved_plan
from pvctl.planning import display, guards
from pvctl.planning.masking import MASK, hide, mask, masked_change, masked_outputs, masked_plan, secrets_of
from pvctl.planning.summary import summarize


def rc(address: str, rtype: str, actions: list[str], module: str | None = None, before=None, after=None, **marks) -> dict:
    change = {"actions": actions, "before": before, "after": after, **marks}
    body = {"address": address, "mode": "managed", "type": rtype, "name": address.rsplit(".", 1)[-1], "change": change}
    if module:
        body["module_address"] = module
    return body


PLAN = {
    "resource_changes": [
        rc("module.db.google_sql_database_instance.main", "google_sql_database_instance", ["delete", "create"], "module.db",
           before={"name": "pv-pg", "root_password": "hunter2"}, before_sensitive={"root_password": True}),
        rc("module.db.google_sql_user.admin", "google_sql_user", ["update"], "module.db"),
        rc("module.api.google_cloud_run_v2_service.api", "google_cloud_run_v2_service", ["update"], "module.api"),
        rc("module.api.google_cloud_run_v2_service_iam_member.invoker", "google_cloud_run_v2_service_iam_member", ["create"], "module.api"),
        rc("module.cache.google_redis_instance.main", "google_redis_instance", ["delete"], "module.cache", before={"name": "pv-redis"}),
        rc("google_secret_manager_secret.s", "google_secret_manager_secret", ["create", "delete"]),
        rc("google_storage_bucket.state", "google_storage_bucket", ["delete"], before={"name": "pv-tfstate"}),
        rc("google_storage_bucket.assets", "google_storage_bucket", ["delete"], before={"name": "pv-assets"}),
        rc("google_project_service.run", "google_project_service", ["no-op"]),
        {"address": "data.google_project.p", "mode": "data", "type": "google_project", "change": {"actions": ["read"]}},
    ]
}


def test_counts_and_grouping() -> None:
    s = summarize(PLAN, "growth")
    assert s.counts == {"add": 1, "change": 2, "destroy": 3, "replace": 2}
    assert [c.address for c in s.changes][-1] == "google_storage_bucket.assets"   # no-ops and reads left out
    assert s.groups[("module.api", "google_cloud_run_v2_service")] == {"update": 1}
    assert s.groups[("", "google_storage_bucket")] == {"delete": 2}
    assert list(s.groups)[0] == ("", "google_secret_manager_secret")               # root module sorts first
    doc = s.as_json("/p/plan.tfplan")
    assert doc["changes"] == s.counts and doc["plan_file"] == "/p/plan.tfplan"
    assert {"address": "google_secret_manager_secret.s", "type": "google_secret_manager_secret", "actions": ["create", "delete"]} in doc[
        "resources"
    ]


def test_no_changes() -> None:
    s = summarize({"resource_changes": [rc("a.b", "google_project_service", ["no-op"])]}, "mvp")
    assert not s.has_changes and s.counts == {"add": 0, "change": 0, "destroy": 0, "replace": 0}


def test_stateful_destructions_are_found_by_type_and_state_bucket_name() -> None:
    found = guards.stateful_destructions(PLAN, state_bucket="pv-tfstate")
    assert [c.address for c in found] == [
        "module.db.google_sql_database_instance.main", "module.cache.google_redis_instance.main",
        "google_secret_manager_secret.s", "google_storage_bucket.state",
    ]
    # An update of a stateful type is fine; an unrelated bucket is not stateful.
    assert "module.db.google_sql_user.admin" not in [c.address for c in found]
    extra = guards.stateful_destructions(PLAN, extra_types=["google_storage_bucket"])
    assert "google_storage_bucket.assets" in [c.address for c in extra]


def test_guards_enforce_unless_allowed() -> None:
    state = {"phase": {"value": "scale"}, "phase_order": {"value": 3}}
    findings = guards.evaluate(PLAN, state, phase_order=2)
    assert findings.downgrade and findings.applied_phase == "scale"
    with pytest.raises(GuardRefusal, match="last applied by phase scale") as caught:
        guards.enforce(findings, "growth", allow_destroy=True, allow_downgrade=False, command="plan")
    assert "--allow-downgrade" in caught.value.line() and caught.value.exit_code == 3
    with pytest.raises(GuardRefusal, match="stateful resources"):
        guards.enforce(findings, "growth", allow_destroy=False, allow_downgrade=True, command="apply")
    guards.enforce(findings, "growth", allow_destroy=True, allow_downgrade=True, command="plan")


def test_no_downgrade_on_fresh_state_or_promotion() -> None:
    assert not guards.evaluate({}, {}, phase_order=1).downgrade
    assert not guards.evaluate({}, {"phase_order": {"value": 1}}, phase_order=2).downgrade
    assert not guards.evaluate({}, {"phase_order": {"value": 2}}, phase_order=2).downgrade


def test_masking_follows_sensitive_marks() -> None:
    value = {"name": "pv-pg", "settings": [{"password": "p", "tier": "db-f1-micro"}], "token": "t"}
    marks = {"settings": [{"password": True}], "token": True}
    assert mask(value, marks) == {"name": "pv-pg", "settings": [{"password": MASK, "tier": "db-f1-micro"}], "token": MASK}
    assert mask("secret", True) == MASK and mask(["a", "b"], [False, True]) == ["a", MASK]
    masked = masked_change(PLAN["resource_changes"][0]["change"])
    assert masked["before"]["root_password"] == MASK and masked["before"]["name"] == "pv-pg"
    assert masked_outputs({"url": {"value": "https://x", "sensitive": False}, "pw": {"value": "p", "sensitive": True}}) == {
        "url": "https://x",
        "pw": MASK,
    }


# A plan as `terraform show -json` writes it, one secret per kind of mark. terraform_data's
# `output` copies the sensitive `input` without a mark of its own.
MARKED_PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        rc("terraform_data.token", "terraform_data", ["update"],
           before={"input": "tok-first-5f1c9e", "output": "tok-first-5f1c9e", "id": "abc"},
           after={"input": "tok-second-8a2d7b", "id": "abc"},
           before_sensitive={"input": True}, after_sensitive={"input": True}, after_unknown={"output": True}),
        rc("google_redis_instance.main", "google_redis_instance", ["update"],
           before={"port": "6379", "tier": "BASIC"}, after={"port": "6379", "tier": "STANDARD_HA"},
           before_sensitive={"port": True}, after_sensitive={"port": True}),
    ],
    "output_changes": {
        "token": {"actions": ["update"], "before": "tok-first-5f1c9e", "after_unknown": True,
                  "before_sensitive": True, "after_sensitive": True},
    },
    "planned_values": {
        "outputs": {"dsn": {"sensitive": True, "value": "postgres://planned-dsn"}},
        "root_module": {"child_modules": [{"resources": [
            {"address": "module.db.google_sql_user.u", "values": {"password": "planned-pw-123", "name": "app"},
             "sensitive_values": {"password": True}}]}]},
    },
    "prior_state": {"values": {
        "outputs": {"old_dsn": {"sensitive": True, "value": "postgres://prior-dsn"}, "url": {"sensitive": False, "value": "https://pv"}},
        "root_module": {"resources": [{"address": "x.y", "values": {"key": "prior-key-xyz"}, "sensitive_values": {"key": True}}]},
    }},
}


def test_secrets_come_from_every_kind_of_mark_and_nothing_else() -> None:
    assert secrets_of(MARKED_PLAN) == {
        "tok-first-5f1c9e", "tok-second-8a2d7b",             # before_sensitive / after_sensitive
        "postgres://planned-dsn", "postgres://prior-dsn",      # outputs' `sensitive`
        "planned-pw-123", "prior-key-xyz",                   # resources' `sensitive_values`, child modules too
    }  # not "6379": shorter marked values would hide unrelated equal ones; not "https://pv": unmarked
    assert secrets_of({}) == frozenset()


def test_masked_plan_hides_marked_values_and_their_unmarked_copies() -> None:
    masked = masked_plan(MARKED_PLAN)
    change = masked["resource_changes"][0]["change"]
    assert change["before"] == {"input": MASK, "output": MASK, "id": "abc"}   # `output` by equality
    assert change["after"] == {"input": MASK, "id": "abc"} and change["after_unknown"] == {"output": True}
    assert masked["resource_changes"][1]["change"]["before"] == {"port": MASK, "tier": "BASIC"}  # by its mark
    assert masked["output_changes"]["token"]["before"] == MASK and masked["output_changes"]["token"]["after_unknown"] is True
    assert set(masked) == {"format_version", "terraform_version", "resource_changes", "output_changes"}
    text = repr(masked)
    assert all(secret not in text for secret in secrets_of(MARKED_PLAN))
    assert MARKED_PLAN["resource_changes"][0]["change"]["before"]["input"] == "tok-first-5f1c9e"  # the plan is untouched


def test_masked_change_and_hide_with_the_plans_secrets() -> None:
    raw = MARKED_PLAN["resource_changes"][0]["change"]
    assert masked_change(raw)["before"]["output"] == "tok-first-5f1c9e"        # marks alone miss the copy
    assert masked_change(raw, secrets_of(MARKED_PLAN))["before"]["output"] == MASK
    assert hide({"a": ["prior-key-xyz", 3, "other"]}, frozenset({"prior-key-xyz"})) == {"a": [MASK, 3, "other"]}


def test_human_summary_shows_table_and_warning_without_secrets() -> None:
    buf = io.StringIO()
    findings = guards.evaluate(PLAN, {}, phase_order=2, state_bucket="pv-tfstate")
    display.print_summary(Console(file=buf, width=160, color_system=None), summarize(PLAN, "growth"), findings, "/p/plan.tfplan")
    text = buf.getvalue()
    assert "1 to add, 2 to change, 2 to replace, 3 to destroy" in text
    assert "module.api" in text and "google_cloud_run_v2_service_iam_member" in text
    assert "STATEFUL RESOURCES WOULD BE DELETED OR REPLACED" in text
    assert "REPLACE  module.db.google_sql_database_instance.main  (name: pv-pg)" in text
    assert "hunter2" not in text


def test_fingerprint_changes_with_inputs(tmp_path: Path) -> None:
    paths = RepoPaths(tmp_path)
    env = paths.environment("mvp")
    env.mkdir(parents=True)
    (tmp_path / "modules" / "cloudsql").mkdir(parents=True)
    (env / "main.tf").write_text("# v1\n")
    paths.phase_dir("mvp").mkdir(parents=True)
    paths.tfvars("mvp").write_text("{}")
    first = saved_plan.fingerprint(paths, "mvp")
    (tmp_path / "modules" / "cloudsql" / "main.tf").write_text("# new module file\n")
    second = saved_plan.fingerprint(paths, "mvp")
    paths.tfvars("mvp").write_text('{"a": 1}')
    third = saved_plan.fingerprint(paths, "mvp")
    (env / "extra.tf.json").write_text("{}")  # JSON configuration is configuration too
    fourth = saved_plan.fingerprint(paths, "mvp")
    (env / "extra.tf.json").unlink()
    assert len({first, second, third, fourth}) == 4
    assert saved_plan.fingerprint(paths, "mvp") == third

    plan = paths.phase_dir("mvp") / "plan.tfplan"
    staged = tmp_path / "staged.tfplan"
    staged.write_bytes(b"plan")
    saved_plan.publish(staged, b"{}", saved_plan.new_meta(paths, "mvp", "live", "pv-prod-123", False, True, "1.15.5", staged), plan)
    meta = saved_plan.read_meta(plan, "mvp")
    saved_plan.check_applicable(meta, paths, "mvp", "live", "pv-prod-123")
    with pytest.raises(GuardRefusal, match="for project pv-prod-123"):
        saved_plan.check_applicable(meta, paths, "mvp", "live", "pv-other-1")
    with pytest.raises(GuardRefusal, match="is for phase mvp"):
        saved_plan.check_applicable(meta, paths, "growth", "live", "pv-prod-123")
    with pytest.raises(GuardRefusal, match="cannot be applied to the offline sandbox"):
        saved_plan.check_applicable(meta, paths, "mvp", "offline", "pv-prod-123")
    (env / "main.tf").write_text("# v2\n")
    with pytest.raises(GuardRefusal, match="stale"):
        saved_plan.check_applicable(meta, paths, "mvp", "live", "pv-prod-123")
    bare = tmp_path / "bare.tfplan"   # a plan made by terraform itself, without a sidecar
    bare.write_bytes(b"plan")
    with pytest.raises(GuardRefusal, match="not made by pvctl plan"):
        saved_plan.read_meta(bare, "mvp")
