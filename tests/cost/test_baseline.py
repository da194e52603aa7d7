"""One baseline: the applied state is priced once, with the applied phase's profile, and `plan`,
`cost` and `ci` show that same figure."""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path

from pvctl.ci.costing import phase_cost
from pvctl.core.config import load_config
from pvctl.cost.baseline import Pricing
from pvctl.cost.delta import plan_cost_line, resource_deltas
from tests.cost.conftest import plan_of

REPO = Path(__file__).resolve().parents[2]


def promotion(applied: dict, target: dict) -> dict:
    """The plan of `target` made against a state holding what `applied` created."""
    before = {rc["address"]: rc["change"]["after"] for rc in applied["resource_changes"]}
    changes = []
    for rc in copy.deepcopy(target["resource_changes"]):
        old = before.pop(rc["address"], None)
        rc["change"]["before"] = old
        rc["change"]["actions"] = ["update"] if old is not None else ["create"]
        changes.append(rc)
    for rc in applied["resource_changes"]:
        if rc["address"] in before:
            gone = copy.deepcopy(rc)
            gone["change"].update(actions=["delete"], before=rc["change"]["after"], after=None, after_unknown={})
            changes.append(gone)
    return {**target, "resource_changes": changes}


def _config(tmp_path, extra: str = ""):
    path = tmp_path / "pvctl.toml"
    path.write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n' + extra)
    return load_config(repo_root=REPO, config_path=path, env={})


def test_the_applied_state_costs_the_same_in_plan_cost_and_ci(tmp_path):
    config = _config(tmp_path)
    pricing = Pricing.of(config)
    # what `pvctl cost --phase mvp` shows
    applied_mvp = pricing.estimate(plan_of("mvp"), "mvp", "mvp").monthly_total
    to_growth, to_scale = promotion(plan_of("mvp"), plan_of("growth")), promotion(plan_of("mvp"), plan_of("scale"))
    # plan: the baseline of either promotion is mvp at mvp's traffic, not at the target's
    for plan, phase in ((to_growth, "growth"), (to_scale, "scale")):
        delta = pricing.plan_delta(plan, phase, "mvp")
        assert delta.before == applied_mvp
        assert delta.after == pricing.estimate(plan_of(phase), phase, phase).monthly_total
        assert (delta.before_profile, delta.after_profile) == ("mvp", phase)
    line = plan_cost_line(to_growth, config, "growth", "mvp")
    assert line.startswith(f"Monthly cost: ${applied_mvp.quantize(D('0.01'))} → $")
    assert "now: mvp applied, mvp traffic; after: growth traffic" in line
    growth = pricing.estimate(plan_of("growth"), "growth", "growth")
    assert f"${growth.derived_total.quantize(D('0.01'))} of it on derived prices" in line
    # ci: every phase planned against that state reports the one current cost
    plans = ((to_growth, "growth"), (to_scale, "scale"))
    baselines = {phase_cost(config, phase, plan, "the sandbox state", None, "mvp").baseline for plan, phase in plans}
    assert baselines == {applied_mvp}
    assert phase_cost(config, "growth", to_growth, "the sandbox state", None, "mvp").baseline_label == "the sandbox state (mvp traffic)"


def test_priced_with_the_target_profile_the_same_state_would_cost_something_else(tmp_path):
    # The reason for the rule: mvp's resources carrying growth's traffic are not what runs today.
    pricing = Pricing.of(_config(tmp_path))
    to_growth = promotion(plan_of("mvp"), plan_of("growth"))
    at_growth_traffic = pricing.estimate(to_growth, "mvp", "growth", side="before").monthly_total
    assert at_growth_traffic != pricing.applied(to_growth, "mvp").monthly_total


def test_nothing_applied_is_a_zero_baseline(tmp_path):
    config = _config(tmp_path)
    delta = Pricing.of(config).plan_delta(plan_of("mvp"), "mvp", None)
    assert delta.before == 0 and "now: nothing applied" in delta.line()
    assert phase_cost(config, "mvp", plan_of("mvp"), "the sandbox state", None, None).baseline == 0


def test_shared_billing_account_reaches_every_caller(tmp_path):
    own = Pricing.of(_config(tmp_path)).estimate(plan_of("mvp"), "mvp", "mvp")
    shared_config = _config(tmp_path, "[billing]\nshared_account = true\n")
    shared = Pricing.of(shared_config).estimate(plan_of("mvp"), "mvp", "mvp")
    assert not shared.free_tiers and shared.monthly_total > own.monthly_total
    assert phase_cost(shared_config, "mvp", plan_of("mvp"), "the sandbox state").monthly == shared.monthly_total


def test_per_resource_deltas_for_a_promotion(tmp_path):
    pricing = Pricing.of(_config(tmp_path))
    to_growth = promotion(plan_of("mvp"), plan_of("growth"))
    before, after = pricing.applied(to_growth, "mvp"), pricing.estimate(to_growth, "growth", "growth")
    rows = {r.resource: r for r in resource_deltas(before, after)}
    assert rows["module.redis.google_redis_instance.this"].before == 0
    assert rows["module.redis.google_redis_instance.this"].after == 730 * D("0.049")
    sql = rows["module.database.google_sql_database_instance.this"]
    # db-f1-micro, 10 GB, mvp's 3 GB of backups
    assert sql.before == 730 * D("0.0105") + 10 * D("0.17") + 3 * D("0.08")
    assert abs(sum(r.delta for r in rows.values()) - (after.monthly_total - before.monthly_total)) < D("1e-20")


def test_a_state_that_does_not_record_its_phase_is_priced_not_zeroed(tmp_path):
    pricing = Pricing.of(_config(tmp_path))
    to_growth = promotion(plan_of("mvp"), plan_of("growth"))
    delta = pricing.plan_delta(to_growth, "growth", None)
    assert delta.before == pricing.estimate(to_growth, None, "growth", side="before").monthly_total > 0
    assert "now: applied phase unknown, growth traffic" in delta.line()


def test_after_an_applied_mvp_plan_growth_starts_from_what_cost_shows(tmp_path):
    """Real engine, stand-in provider: apply mvp to the sandbox, then plan growth."""
    import json
    import re

    from tests.cli.conftest import cli_env, pvctl
    from tests.offline.test_inventories import copy_repo

    repo = copy_repo(tmp_path / "repo")
    env = cli_env(tmp_path)

    def run(*args: str):
        return pvctl(list(args), repo, env, timeout=600)

    applied = run("apply", "--phase", "mvp", "--offline", "--auto-approve")
    assert applied.returncode == 0, applied.stderr[-2000:]
    mvp_total = json.loads(run("cost", "--phase", "mvp", "--json").stdout)["monthly_total"]
    planned = run("plan", "--phase", "growth", "--offline")
    assert planned.returncode in (0, 2), planned.stderr[-2000:]
    line = next(x for x in planned.stdout.splitlines() if x.startswith("Monthly cost:"))
    before = float(re.match(r"Monthly cost: \$([\d,.]+) →", line).group(1).replace(",", ""))
    assert before == mvp_total and "now: mvp applied, mvp traffic; after: growth traffic" in line
