"""Pricing rules on small hand-made plans: first-five rules, HA, billing modes, unknowns, unpriced."""

from __future__ import annotations

import copy
from decimal import Decimal as D

import pytest

from pvctl.cost.catalog import CatalogError
from pvctl.cost.delta import compare, cost_delta
from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import UsageProfile, load_usage
from tests.cost.conftest import plan_of


def rc(type_, name, after, unknown=None, actions=("create",), before=None):
    return {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
            "change": {"actions": list(actions), "before": before, "after": after, "after_unknown": unknown or {}}}


def plan(*changes):
    return {"format_version": "1.2", "terraform_version": "1.15.5", "resource_changes": list(changes)}


def items(est, sku):
    return [i for i in est.items if i.sku == sku]


def total(est, sku):
    return sum((i.monthly for i in items(est, sku)), D(0))


QUIET = UsageProfile()  # no traffic: only the always-on charges remain


def test_first_five_forwarding_rules_are_one_flat_charge_then_per_rule(catalog):
    rules = [rc("google_compute_global_forwarding_rule", f"r{n}", {"port_range": "443"}) for n in range(7)]
    est = estimate_plan(plan(*rules), "us-central1", QUIET, catalog)
    assert total(est, "lb_rules_first5") == 730 * D("0.025")          # 18.25, not 5 × 7.30
    assert [i.resource for i in items(est, "lb_rules_additional")] == [
        "google_compute_global_forwarding_rule.r5", "google_compute_global_forwarding_rule.r6"]
    assert total(est, "lb_rules_additional") == 2 * 730 * D("0.01")
    covered = {s.resource for s in est.free}
    assert {f"google_compute_global_forwarding_rule.r{n}" for n in (1, 2, 3, 4)} <= covered


def test_two_rules_cost_the_minimum_not_two_additional_rules(catalog):
    est = estimate_plan(plan_of("mvp"), "us-central1", QUIET, catalog)
    lb = sum((i.monthly for i in est.items if i.component == "Load balancing"), D(0))
    assert lb == D("18.25")


def _sql(**settings):
    base = {"tier": "db-g1-small", "edition": "ENTERPRISE", "availability_type": "ZONAL", "disk_size": 20, "disk_type": "PD_SSD"}
    return rc("google_sql_database_instance", "db", {"settings": [{**base, **settings}]})


@pytest.mark.parametrize("tier", ["db-f1-micro", "db-g1-small", "db-custom-2-7680"])
def test_regional_ha_doubles_instance_and_storage(tier, catalog):
    zonal = estimate_plan(plan(_sql(tier=tier)), "southamerica-east1", QUIET, catalog)
    regional = estimate_plan(plan(_sql(tier=tier, availability_type="REGIONAL")), "southamerica-east1", QUIET, catalog)
    assert regional.monthly_total == 2 * zonal.monthly_total
    assert total(regional, "sql_ssd") == 2 * 20 * D("0.255")


def test_custom_tier_is_vcpu_plus_ram_and_hdd_is_cheaper(catalog):
    est = estimate_plan(plan(_sql(tier="db-custom-2-7680", disk_type="PD_HDD")), "us-central1", QUIET, catalog)
    assert total(est, "sql_vcpu") == 2 * 730 * D("0.0413")
    assert total(est, "sql_ram") == D("7.5") * 730 * D("0.0070")
    assert total(est, "sql_hdd") == 20 * D("0.09")
    assert items(est, "sql_ssd") == []


def test_enterprise_plus_and_unknown_tier_are_unpriced_not_zero(catalog):
    est = estimate_plan(plan(_sql(edition="ENTERPRISE_PLUS", tier="db-perf-optimized-N-2")), "us-central1", QUIET, catalog)
    assert est.items == []
    assert "ENTERPRISE_PLUS" in est.unpriced[0].reason
    est = estimate_plan(plan(_sql(tier="db-weird-1")), "us-central1", QUIET, catalog)
    assert est.unpriced[0].resource == "google_sql_database_instance.db"


def _run(resources, scaling=None):
    template = {"containers": [{"resources": [resources] if resources is not None else []}],
                "scaling": [scaling or {"min_instance_count": 1, "max_instance_count": 3}]}
    return rc("google_cloud_run_v2_service", "svc", {"name": "pv-api", "template": [template]})


def test_cpu_idle_unset_with_limits_is_instance_based(catalog):
    est = estimate_plan(plan(_run({"limits": {"cpu": "1", "memory": "512Mi"}})), "us-central1", QUIET, catalog)
    # One min instance up all month, CPU always allocated: instance-based rates, no request fee.
    assert total(est, "run_cpu_instance") == 2_628_000 * D("0.000018")
    assert total(est, "run_mem_instance") == 2_628_000 * D("0.5") * D("0.000002")
    assert items(est, "run_cpu_request") == [] and items(est, "run_requests") == []
    credit = items(est, "run_cpu_instance:free")[0]
    assert credit.monthly == -(240_000 * D("0.000018"))


def test_request_based_min_instance_is_billed_at_idle_rates(catalog):
    est = estimate_plan(plan(_run({"cpu_idle": True, "limits": {"cpu": "1000m", "memory": "1Gi"}})),
                        "southamerica-east1", QUIET, catalog)
    assert total(est, "run_cpu_idle") == 2_628_000 * D("0.0000035")
    assert total(est, "run_mem_idle") == 2_628_000 * D("0.0000035")


def test_unknown_values_of_an_offline_plan_fall_back_to_provider_defaults(catalog):
    # An offline plan: template containers unknown, connector sizes unknown, SQL tier set.
    svc = rc("google_cloud_run_v2_service", "svc", {"name": "pv-api", "template": None}, {"template": True})
    conn = rc("google_vpc_access_connector", "c", {"name": "pv", "machine_type": None, "min_instances": None},
              {"machine_type": True, "min_instances": True})
    sql = rc("google_sql_database_instance", "db", {"settings": [{"tier": "db-f1-micro", "disk_size": None}]},
             {"settings": [{"disk_size": True, "edition": True}]})
    usage = load_usage("mvp")
    est = estimate_plan(plan(svc, conn, sql), "us-central1", usage, catalog)
    assert est.unpriced == []
    cpu = items(est, "run_cpu_request")[0]
    assert cpu.quantity == D(300_000) * D("0.2") / 10 and "defaults 1 vCPU" in cpu.note
    assert total(est, "vm_e2_core") == 2 * D("0.25") * 730 * D("0.02181159")
    assert total(est, "sql_ssd") == 10 * D("0.17")


def test_unknown_resource_types_are_listed_as_unpriced_and_free_types_with_reason(catalog):
    est = estimate_plan(plan(rc("google_storage_bucket", "b", {"name": "x"}),
                             rc("google_project_iam_member", "m", {"role": "roles/viewer"})), "us-central1", QUIET, catalog)
    assert [(s.resource, s.reason) for s in est.unpriced] == [("google_storage_bucket.b", "no pricing rule for this resource type")]
    assert est.free[0].reason == "IAM grants are free"
    assert est.items == []


def test_unknown_region_is_an_error_not_a_guess(catalog):
    with pytest.raises(CatalogError, match="europe-west1.*southamerica-east1, us-central1"):
        estimate_plan(plan_of("mvp"), "europe-west1", QUIET, catalog)


def test_cloud_armor_and_cdn_are_priced(catalog):
    est = estimate_plan(plan_of("growth"), "us-central1", load_usage("growth"), catalog)
    components = est.by_component()
    assert components["Cloud Armor"] > 0 and components["Cloud CDN"] > 0
    assert components["Serverless VPC Access"] > 0


BANDS = {"mvp": (30, 52), "growth": (80, 120), "scale": (230, 450)}  # seeds: ~$30–52, ~$100 (±20 %), $230–450


@pytest.mark.parametrize("phase", list(BANDS))
def test_phases_land_in_the_seed_bands_in_us_central1_and_sao_paulo_is_dearer(phase, catalog):
    usage = load_usage(phase)
    us = estimate_plan(plan_of(phase), "us-central1", usage, catalog, phase).monthly_total
    sa = estimate_plan(plan_of(phase), "southamerica-east1", usage, catalog, phase).monthly_total
    low, high = BANDS[phase]
    assert low <= us <= high, us
    assert sa > us


def test_cost_delta_against_the_plans_own_before_state(catalog):
    after = plan_of("mvp")
    fresh = cost_delta(None, after, "us-central1", load_usage("mvp"), catalog)
    assert fresh.before == 0 and fresh.after == estimate_plan(after, "us-central1", load_usage("mvp"), catalog).monthly_total
    # Promote: the database exists (update in place to a bigger tier), Redis is new.
    promoted = copy.deepcopy(plan_of("growth"))
    for change in promoted["resource_changes"]:
        if change["type"] == "google_sql_database_instance":
            change["change"]["actions"] = ["update"]
            change["change"]["before"] = copy.deepcopy(change["change"]["after"])
            change["change"]["before"]["settings"][0]["tier"] = "db-f1-micro"
    delta = cost_delta(None, promoted, "us-central1", load_usage("growth"), catalog)
    assert delta.by_component["Cloud SQL"][0] == 730 * D("0.0105") + 20 * D("0.17") + 10 * D("0.08")
    assert delta.by_component["Memorystore"] == (D(0), 730 * D("0.049"))
    assert delta.line().startswith("Monthly cost: $")


def test_compare_phases_per_component(catalog):
    mvp = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp"), catalog)
    growth = estimate_plan(plan_of("growth"), "us-central1", load_usage("growth"), catalog)
    delta = compare(mvp, growth)
    assert delta.by_component["Memorystore"][0] == 0
    assert delta.delta == growth.monthly_total - mvp.monthly_total
    assert sum(y - x for x, y in delta.by_component.values()) == delta.delta


def test_nat_costs_nothing_when_no_service_routes_internet_traffic_into_the_vpc(catalog):
    est = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp"), catalog)
    nat = [s for s in est.free if s.type == "google_compute_router_nat"]
    assert nat and "ALL_TRAFFIC" in nat[0].reason
    assert not [i for i in est.items if i.component == "Cloud NAT"]


def test_phase_region_table_markdown(catalog):
    from pvctl.cost.render import phase_region_table

    rows = [(p, seed, {r: estimate_plan(plan_of(p), r, load_usage(p), catalog, p) for r in ("us-central1", "southamerica-east1")})
            for p, seed in (("mvp", "~$30–52"), ("scale", "~$230–450"))]
    md = phase_region_table(rows, ["us-central1", "southamerica-east1"])
    lines = md.splitlines()
    assert lines[0] == "| phase | seeds (us-central1 prices) | us-central1 | southamerica-east1 |"
    assert lines[2].startswith("| mvp | ~$30–52 | $49.99 | $")


def test_unreadable_limits_make_the_service_unpriced_not_a_crash(catalog):
    est = estimate_plan(plan(_run({"cpu_idle": True, "limits": {"cpu": "one", "memory": "lots"}})), "us-central1", QUIET, catalog)
    assert est.unpriced[0].resource == "google_cloud_run_v2_service.svc" and "limits" in est.unpriced[0].reason
