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
    usage = UsageProfile(requests_per_month=2_628_000, avg_request_seconds=0.5)  # 1 request/s, 0.5 s each
    est = estimate_plan(plan(svc, conn, sql), "us-central1", usage, catalog)
    assert est.unpriced == []
    cpu = items(est, "run_cpu_request")[0]
    # 0.5 requests in flight on average: the instance is busy 1 − e^−0.5 = 0.393469 of 2,628,000 s.
    assert abs(cpu.quantity - D("1034037.4")) < 1 and "defaults 1 vCPU" in cpu.note
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


@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_sao_paulo_is_dearer_and_each_phase_costs_more_than_the_last(phase, catalog):
    usage = load_usage(phase)
    us = estimate_plan(plan_of(phase), "us-central1", usage, catalog, phase).monthly_total
    sa = estimate_plan(plan_of(phase), "southamerica-east1", usage, catalog, phase).monthly_total
    assert sa > us
    order = ["mvp", "growth", "scale"]
    if phase != "mvp":
        previous = order[order.index(phase) - 1]
        assert us > estimate_plan(plan_of(previous), "us-central1", load_usage(previous), catalog).monthly_total


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
    assert abs(sum(y - x for x, y in delta.by_component.values()) - delta.delta) < D("1e-20")
    # per resource, the same change
    assert abs(sum(r.delta for r in delta.resources) - delta.delta) < D("1e-20")
    redis = next(r for r in delta.resources if r.resource == "module.redis.google_redis_instance.this")
    assert (redis.before, redis.after) == (0, 730 * D("0.049"))


def test_nat_bills_the_connector_vms_and_its_address_even_with_no_internet_traffic(catalog):
    # mvp: no service sends internet traffic into the VPC, yet the gateway serves the
    # connector's subnet: its two VMs and the gateway's one address are billed all month.
    est = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp"), catalog)
    assert total(est, "nat_gateway") == 2 * 730 * D("0.0014")      # $2.044
    assert total(est, "nat_ip") == 730 * D("0.005")                # $3.65
    assert items(est, "nat_data") == []


def test_shared_billing_account_credits_no_free_tier(catalog):
    own = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp"), catalog, "mvp")
    shared = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp"), catalog, "mvp", free_tiers=False)
    assert [i for i in shared.items if i.sku.endswith(":free")] == []
    assert total(own, "run_cpu_request:free") == -D("4.32")
    # Secret Manager's 10,000 free accesses belong to the account too: all 20,000 are paid.
    assert total(shared, "secret_accesses") == 20_000 * D("0.000003")
    # Logging's 50 GiB are per project: still free.
    assert total(shared, "log_storage") == 0
    assert shared.monthly_total > own.monthly_total


def test_unreadable_limits_make_the_service_unpriced_not_a_crash(catalog):
    est = estimate_plan(plan(_run({"cpu_idle": True, "limits": {"cpu": "one", "memory": "lots"}})), "us-central1", QUIET, catalog)
    assert est.unpriced[0].resource == "google_cloud_run_v2_service.svc" and "limits" in est.unpriced[0].reason


def test_the_cheaper_billing_mode_is_hinted(catalog):
    busy = UsageProfile(requests_per_month=26_280_000, avg_request_seconds=1.0)   # 10 in flight all month
    # Request-based and always busy: instance-based rates are lower for the same instance time.
    est = estimate_plan(plan(_run({"cpu_idle": True, "limits": {"cpu": "1", "memory": "512Mi"}})), "us-central1", busy, catalog)
    assert len(est.hints) == 1 and "instance-based billing (cpu_idle=false) would cost" in est.hints[0]
    # Instance-based with one min instance and a trickle of traffic: request-based is cheaper.
    trickle = UsageProfile(requests_per_month=1_000, avg_request_seconds=0.1)
    est = estimate_plan(plan(_run({"limits": {"cpu": "1", "memory": "512Mi"}})), "us-central1", trickle, catalog)
    assert len(est.hints) == 1 and "request-based billing (cpu_idle=true) would cost" in est.hints[0]


def _placed(name, region, **settings):
    r = _sql(tier="db-custom-1-3840", **settings)
    r["address"], r["name"] = f"google_sql_database_instance.{name}", name
    r["change"]["after"]["region"] = region
    return r


def _service(location):
    return rc("google_cloud_run_v2_service", "api", {"name": "pv-api", "location": location})


def _with_dr(dr_region):
    return plan(_service("southamerica-east1"), _placed("primary", "southamerica-east1"), _placed("dr", dr_region))


def test_a_cross_region_replica_is_priced_at_its_own_regions_rates(catalog):
    # Services and primary in São Paulo, the disaster-recovery replica in Iowa.
    est = estimate_plan(_with_dr("us-central1"), "southamerica-east1", QUIET, catalog)
    vcpu = {i.resource: i.monthly for i in items(est, "sql_vcpu")}
    assert vcpu["google_sql_database_instance.primary"] == 730 * D("0.06195")
    assert vcpu["google_sql_database_instance.dr"] == 730 * D("0.0413")
    ssd = {i.resource: i.monthly for i in items(est, "sql_ssd")}
    assert ssd["google_sql_database_instance.dr"] == 20 * D("0.17")
    assert "in us-central1" in next(i.note for i in items(est, "sql_ram") if i.resource.endswith(".dr"))
    # Priced in Iowa as a what-if, the same plan keeps the replica at Iowa's rates and moves the rest.
    est = estimate_plan(_with_dr("us-central1"), "us-central1", QUIET, catalog)
    assert {i.resource: i.monthly for i in items(est, "sql_vcpu")} == {
        "google_sql_database_instance.primary": 730 * D("0.0413"), "google_sql_database_instance.dr": 730 * D("0.0413")}


def test_a_replica_in_a_region_without_prices_is_unpriced_not_guessed(catalog):
    est = estimate_plan(_with_dr("southamerica-west1"), "southamerica-east1", QUIET, catalog)
    assert [s.resource for s in est.unpriced] == ["google_sql_database_instance.dr"]
    assert "southamerica-west1" in est.unpriced[0].reason
    assert {i.resource for i in items(est, "sql_vcpu")} == {"google_sql_database_instance.primary"}
