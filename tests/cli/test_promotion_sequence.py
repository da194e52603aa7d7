"""The protected-apply sequence's decisions: what is guarded, what counts as the reviewed plan, resuming."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from pvctl.core.errors import GuardRefusal
from pvctl.planning import promotion

REDIS = "module.redis.google_redis_instance.this"
BFF = "module.bff.module.service.google_cloud_run_v2_service.managed[0]"
SQL = "module.database.google_sql_database_instance.primary"


def _rc(address: str, type_name: str, actions: list[str], before: dict | None, after: dict | None) -> dict:
    return {"address": address, "mode": "managed", "type": type_name,
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}}}


def _plan() -> dict:
    return {"resource_changes": [
        _rc(REDIS, "google_redis_instance", ["delete", "create"],
            {"tier": "STANDARD_HA", "deletion_protection": True}, {"tier": "BASIC", "deletion_protection": True}),
        _rc(BFF, "google_cloud_run_v2_service", ["delete"], {"name": "pv-bff", "deletion_protection": True}, None),
        _rc(SQL, "google_sql_database_instance", ["update"],
            {"settings": [{"tier": "db-custom-1-3840"}], "deletion_protection": True},
            {"settings": [{"tier": "db-g1-small"}], "deletion_protection": True}),
        _rc("module.redis.google_secret_manager_secret_version.auth", "google_secret_manager_secret_version",
            ["delete", "create"], {"secret_data_wo_version": "a"}, {"secret_data_wo_version": None}),
    ]}


def test_guarded_deletions_are_the_protected_deletes_only():
    found = promotion.guarded_deletions(_plan())
    assert [(g.address, g.attribute) for g in found] == [(REDIS, "deletion_protection"), (BFF, "deletion_protection")]
    assert found[0].message.startswith("cannot destroy redis instance")


def test_unprotected_deletions_need_no_sequence():
    plan = _plan()
    plan["resource_changes"][0]["change"]["before"]["deletion_protection"] = False
    plan["resource_changes"][1]["change"]["before"]["deletion_protection"] = False
    assert promotion.guarded_deletions(plan) == []


def test_lifted_guards_are_the_only_accepted_difference():
    reviewed = _plan()
    lifted = copy.deepcopy(reviewed)
    for rc in lifted["resource_changes"][:2]:
        rc["change"]["before"]["deletion_protection"] = False
    assert promotion.differences(reviewed, lifted) == []
    drifted = copy.deepcopy(lifted)
    drifted["resource_changes"][0]["change"]["before"]["memory_size_gb"] = 5
    assert [p.split(":")[0] for p in promotion.differences(reviewed, drifted)] == [REDIS]
    replanned = copy.deepcopy(lifted)
    replanned["resource_changes"][2]["change"]["after"]["settings"][0]["tier"] = "db-custom-2-7680"
    assert "planned values differ" in promotion.differences(reviewed, replanned)[0]


def test_new_changes_are_refused_but_progress_is_not():
    reviewed = _plan()
    extra = copy.deepcopy(reviewed)
    network = _rc("module.x.google_compute_network.n", "google_compute_network", ["delete"], {}, None)
    extra["resource_changes"].append(network)
    assert "was not in the reviewed plan" in promotion.differences(reviewed, extra)[0]
    # Resumed after a partial apply: the delete half of the replacement and the removal are done.
    resumed = copy.deepcopy(reviewed)
    resumed["resource_changes"][0]["change"].update(actions=["create"], before=None)
    del resumed["resource_changes"][1]
    assert promotion.differences(reviewed, resumed) == []
    worse = copy.deepcopy(reviewed)
    worse["resource_changes"][2]["change"]["actions"] = ["delete", "create"]
    assert "now delete/create, reviewed update" in promotion.differences(reviewed, worse)[0]


def test_lift_plan_may_only_flip_the_named_guards():
    lift = {"resource_changes": [
        _rc(REDIS, "google_redis_instance", ["update"], {"tier": "BASIC", "deletion_protection": True},
            {"tier": "BASIC", "deletion_protection": False}),
    ]}
    promotion._check_lift_plan(lift, [REDIS], lifted=True)
    with pytest.raises(GuardRefusal, match="would also change"):
        more = copy.deepcopy(lift)
        more["resource_changes"][0]["change"]["after"]["tier"] = "STANDARD_HA"
        promotion._check_lift_plan(more, [REDIS], lifted=True)
    with pytest.raises(GuardRefusal, match="does not let pvctl set deletion_protection=false"):
        stuck = copy.deepcopy(lift)
        unchanged = {"tier": "BASIC", "deletion_protection": True}
        stuck["resource_changes"][0]["change"].update(actions=["no-op"], after=unchanged)
        promotion._check_lift_plan(stuck, [REDIS], lifted=True)


class _Saved:
    def __init__(self, file: Path, outputs: dict) -> None:
        self.file, self.state_outputs = file, outputs


class _Paths:
    def __init__(self, root: Path) -> None:
        self.root = root

    def phase_dir(self, phase: str) -> Path:
        return self.root / phase


class _Run:
    def __init__(self, root: Path) -> None:
        self.phase, self.paths = "growth", _Paths(root)


def test_journal_resumes_the_same_plan_and_forgets_a_finished_one(tmp_path):
    (tmp_path / "growth").mkdir()
    plan_file = tmp_path / "growth" / "plan.tfplan"
    plan_file.write_bytes(b"reviewed plan")
    guarded = promotion.guarded_deletions(_plan())
    run, saved = _Run(tmp_path), _Saved(plan_file, {"phase": {"value": "scale"}})
    journal = promotion.Journal.open(run, saved, guarded)  # type: ignore[arg-type]
    assert (journal.lifted_phase, journal.done) == ("scale", []) and journal.addresses == sorted([REDIS, BFF])
    journal.finish("lift")
    journal.finish("replan")
    # Interrupted here: the same plan resumes where it stopped, even once the state says "growth".
    again = promotion.Journal.open(run, _Saved(plan_file, {"phase": {"value": "growth"}}), guarded)  # type: ignore[arg-type]
    assert again.done == ["lift", "replan"] and again.lifted_phase == "scale"
    assert json.loads(journal.path.read_text())["addresses"] == journal.addresses
    plan_file.write_bytes(b"another plan")
    assert promotion.Journal.open(run, saved, guarded).done == []  # type: ignore[arg-type]
    for step in ("apply", "restore"):
        again.finish(step)
    assert not journal.path.exists()
