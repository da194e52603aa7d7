"""ci/drivers.py: a resource's cost change is credited to the changes that move its price."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

from pvctl.ci.costing import phase_cost
from pvctl.ci.drivers import PROFILE
from pvctl.ci.model import CiReport, PhaseResult
from pvctl.ci.report import render_markdown
from pvctl.core.config import load_config
from pvctl.planning.changes import resource_diffs
from pvctl.planning.summary import summarize
from pvctl.policy.step import StepResult
from tests.cost.conftest import plan_of

REPO = Path(__file__).resolve().parents[2]
RUN = "module.api.module.service.google_cloud_run_v2_service.managed[0]"
CDN = 'module.edge.google_compute_backend_service.this["api"]'
SQL = "module.database.google_sql_database_instance.primary"


def _from_mvp() -> dict:
    """The growth plan made against the same resources as mvp left them: labelled mvp, a lower
    scaling cap, no CDN, a smaller database tier."""
    plan = plan_of("growth")
    for rc in plan["resource_changes"]:
        change = rc["change"]
        change.update(actions=["update"], before=copy.deepcopy(change["after"]))
        before = change["before"]
        if rc["address"] == RUN:
            before["labels"]["phase"] = "mvp"
            before["template"][0]["scaling"][0]["max_instance_count"] = 3
        elif rc["address"] == CDN:
            before["enable_cdn"] = False
        elif rc["address"] == SQL:
            before["settings"][0]["tier"] = "db-f1-micro"
    return plan


def _cost():
    config = load_config(repo_root=REPO, config_path=REPO / "pvctl.example.toml", env={})
    plan = _from_mvp()
    return plan, phase_cost(config, "growth", plan, "the sandbox state", None, "mvp")


def test_a_services_cost_is_credited_to_traffic_and_the_cdn_not_to_its_labels():
    plan, cost = _cost()
    assert {c.resource for c in cost.resources} >= {RUN, SQL}
    run = cost.drivers[RUN]
    assert [(d.what, d.before, d.after) for d in run] == [(PROFILE, "mvp", "growth"), (f"{CDN}.enable_cdn", "false", "true")]
    assert run[0].effect > 0 > run[1].effect      # more requests cost more; the CDN takes some off the service
    sql = cost.drivers[SQL]
    assert (sql[0].what, sql[0].before, sql[0].after) == ("settings.tier", "db-f1-micro", "db-g1-small")
    assert all("labels" not in d.what for found in cost.drivers.values() for d in found)
    assert plan == _from_mvp()                    # every change undone to price it is put back


def test_the_report_names_the_drivers_beside_the_cost_change():
    plan, cost = _cost()
    phase = PhaseResult("growth", "offline", [StepResult(n, "ok") for n in ("validate", "plan", "policy", "cost")],
                        resource_diffs(plan), summarize(plan, "growth").counts, cost=cost)
    markdown = render_markdown(CiReport([phase]))
    line = next(line for line in markdown.splitlines() if line.startswith(f"  - `{RUN}`"))
    assert line.startswith(f"  - `{RUN}` usage profile `mvp` → `growth`, `{CDN}.enable_cdn` `false` → `true`: $")
    assert "labels" not in line and "max_instance_count" not in line
    assert Decimal(str(cost.as_json()["drivers"][RUN][0]["effect"])) == cost.drivers[RUN][0].effect.quantize(Decimal("0.01"))
