"""Every line item of the three phase plans, against arithmetic done by hand from list prices.

The rates below are written out (and checked against the catalog first), so a change in the
catalog or in the estimator's arithmetic shows up here as a difference, not as a new baseline.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D

import pytest

from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import load_usage
from tests.cost.conftest import plan_of

US, SA = "us-central1", "southamerica-east1"

# (sku, catalog row) -> first paid rate, both regions; global SKUs have one row.
RATES = {
    US: {
        "run_cpu_request": "0.000024", "run_mem_request": "0.0000025", "run_cpu_idle": "0.0000025",
        "run_mem_idle": "0.0000025", "vm_e2_core": "0.02181159", "vm_e2_ram": "0.00292353",
        "sql_micro": "0.0105", "sql_small": "0.035", "sql_vcpu": "0.0413", "sql_ram": "0.0070",
        "sql_ssd": "0.17", "sql_backup": "0.08", "redis_basic_m1": "0.049", "redis_standard_m1": "0.064",
        "lb_data_processed": "0.008", "cdn_cache_fill": "0.01", "internet_egress": "0.12",
    },
    SA: {
        "run_cpu_request": "0.0000336", "run_mem_request": "0.0000035", "run_cpu_idle": "0.0000035",
        "run_mem_idle": "0.0000035", "vm_e2_core": "0.034623", "vm_e2_ram": "0.0046406",
        "sql_micro": "0.0158", "sql_small": "0.0525", "sql_vcpu": "0.06195", "sql_ram": "0.0105",
        "sql_ssd": "0.255", "sql_backup": "0.12", "redis_basic_m1": "0.087", "redis_standard_m1": "0.146",
        "lb_data_processed": "0.012", "cdn_cache_fill": "0.04", "internet_egress": "0.19",
    },
}
GLOBAL_RATES = {
    "run_requests": "0.0000004", "lb_rules_first5": "0.025", "cdn_cache_lookup": "0.00000075",
    "armor_policy": "5.00", "armor_rule": "1.00", "armor_requests": "0.00000075", "secret_accesses": "0.000003",
    "log_storage": "0.50", "nat_gateway": "0.0014", "nat_ip": "0.005", "nat_data": "0.045",
}
CDN_LATAM = D("0.09")
HOURS = D(730)
MONTH_S = HOURS * 3600  # 2,628,000 seconds
CPU_FREE_USD = 180_000 * D("0.000024")   # $4.32: the allowance valued at Tier 1 prices
MEM_FREE_USD = 360_000 * D("0.0000025")  # $0.90

API = "module.api.google_cloud_run_v2_service.this"
BFF = "module.bff.google_cloud_run_v2_service.this"
HOOKS = "module.webhooks.google_cloud_run_v2_service.this"
CONN = "module.connector.google_vpc_access_connector.this"
SQL = "module.database.google_sql_database_instance.this"
REDIS = "module.redis.google_redis_instance.this"
RULE = "module.edge.google_compute_global_forwarding_rule.http"
ARMOR = "module.edge.google_compute_security_policy.this"
NAT = "module.network.google_compute_router_nat.this"
LOGS = "(project logs)"
FREE = "(billing account)"
SECRETS = [f'module.secrets.google_secret_manager_secret.this["{n}"]' for n in
           ("db-admin-password", "session-signing-key", "oauth-client-secret", "whatsapp-token", "crm-api-token")]
REDIS_AUTH = "module.redis.google_secret_manager_secret.auth"  # growth and scale: the Redis AUTH string


def test_rates_written_here_are_the_catalogs(catalog):
    for region, rates in RATES.items():
        for sku, rate in rates.items():
            assert catalog.price(sku, region).top_rate == D(rate), (sku, region)
    for sku, rate in GLOBAL_RATES.items():
        assert catalog.price(sku, US).top_rate == D(rate), sku
    assert catalog.price("cdn_cache_egress", "dest:latin-america").top_rate == CDN_LATAM


def _common(r, g, expect, *, connector=True):
    """Connector (2 × e2-micro = 0.5 core + 2 GB for 730 h), forwarding rules, Armor policy, logs."""
    if connector:
        expect[(CONN, "vm_e2_core")] = 2 * D("0.25") * HOURS * r["vm_e2_core"]
        expect[(CONN, "vm_e2_ram")] = 2 * D(1) * HOURS * r["vm_e2_ram"]
    expect[(RULE, "lb_rules_first5")] = HOURS * g["lb_rules_first5"]  # $18.25 for both rules (≤ 5)
    expect[(ARMOR, "armor_policy")] = g["armor_policy"]


def expected_mvp(region):
    r = {k: D(v) for k, v in RATES[region].items()}
    g = {k: D(v) for k, v in GLOBAL_RATES.items()}
    e = {}
    _common(r, g, e)
    busy = D(300_000) * D("0.2") / 10                      # 6,000 instance-seconds
    e[(API, "run_cpu_request")] = busy * 1 * r["run_cpu_request"]
    e[(API, "run_mem_request")] = busy * D("0.5") * r["run_mem_request"]
    e[(API, "run_requests")] = D(0)                         # 300k < 2M free requests
    e[(FREE, "run_cpu_request:free")] = -(busy * r["run_cpu_request"])   # below the $4.32 credit
    e[(FREE, "run_mem_request:free")] = -(busy * D("0.5") * r["run_mem_request"])
    e[("module.edge.google_compute_backend_service.api", "internet_egress")] = 5 * r["internet_egress"]
    e[(SQL, "sql_micro")] = HOURS * r["sql_micro"]
    e[(SQL, "sql_ssd")] = 10 * r["sql_ssd"]
    e[(SQL, "sql_backup")] = 3 * r["sql_backup"]
    e[(RULE, "lb_data_processed")] = (5 + 1) * r["lb_data_processed"]
    e[(ARMOR, "armor_rule")] = 4 * g["armor_rule"]          # 2 WAF + rate limit + default
    e[(ARMOR, "armor_requests")] = 300_000 * g["armor_requests"]
    for s in SECRETS:
        e[(s, "secret_versions")] = D(0)                    # 5 versions ≤ 6 free
        e[(s, "secret_accesses")] = (20_000 - 10_000) * g["secret_accesses"] / 5
    e[(LOGS, "log_storage")] = D(0)                         # 2 GiB ≤ 50 free
    return e


def expected_growth(region):
    r = {k: D(v) for k, v in RATES[region].items()}
    g = {k: D(v) for k, v in GLOBAL_RATES.items()}
    e = {}
    _common(r, g, e)
    busy = D(3_000_000) * D("0.2") / 20                    # 30,000 instance-seconds
    e[(API, "run_cpu_request")] = busy * r["run_cpu_request"]
    e[(API, "run_mem_request")] = busy * D("0.5") * r["run_mem_request"]
    e[(API, "run_requests")] = (3_000_000 - 2_000_000) * g["run_requests"]
    e[(FREE, "run_cpu_request:free")] = -min(busy * r["run_cpu_request"], CPU_FREE_USD)
    e[(FREE, "run_mem_request:free")] = -min(busy * D("0.5") * r["run_mem_request"], MEM_FREE_USD)
    backend = "module.edge.google_compute_backend_service.api"
    e[(backend, "cdn_cache_egress")] = 40 * D("0.6") * CDN_LATAM
    e[(backend, "cdn_cache_fill")] = 40 * D("0.6") * D("0.1") * r["cdn_cache_fill"]
    e[(backend, "cdn_cache_lookup")] = 3_000_000 * g["cdn_cache_lookup"]
    e[(backend, "internet_egress")] = 40 * D("0.4") * r["internet_egress"]
    e[(SQL, "sql_small")] = HOURS * r["sql_small"]
    e[(SQL, "sql_ssd")] = 20 * r["sql_ssd"]
    e[(SQL, "sql_backup")] = 10 * r["sql_backup"]
    e[(REDIS, "redis_basic_m1")] = 1 * HOURS * r["redis_basic_m1"]
    e[(RULE, "lb_data_processed")] = (40 + 5) * r["lb_data_processed"]
    e[(ARMOR, "armor_rule")] = 4 * g["armor_rule"]
    e[(ARMOR, "armor_requests")] = 3_000_000 * D("0.4") * g["armor_requests"]  # cache hits skip the policy
    for s in [*SECRETS, REDIS_AUTH]:
        e[(s, "secret_versions")] = D(0)                    # 6 versions ≤ 6 free
        e[(s, "secret_accesses")] = (200_000 - 10_000) * g["secret_accesses"] / 6
    e[(LOGS, "log_storage")] = D(0)
    return e


def expected_scale(region):
    r = {k: D(v) for k, v in RATES[region].items()}
    g = {k: D(v) for k, v in GLOBAL_RATES.items()}
    e = {}
    _common(r, g, e)
    # API: 2 vCPU / 2 GiB, half the 20M requests, concurrency capped at its max of 10, min 1.
    api_busy = D(10_000_000) * D("0.15") / 10               # 150,000 s
    api_idle = MONTH_S - api_busy                           # 2,478,000 s
    e[(API, "run_cpu_request")] = api_busy * 2 * r["run_cpu_request"]
    e[(API, "run_mem_request")] = api_busy * 2 * r["run_mem_request"]
    e[(API, "run_cpu_idle")] = api_idle * 2 * r["run_cpu_idle"]
    e[(API, "run_mem_idle")] = api_idle * 2 * r["run_mem_idle"]
    # BFF: 1 vCPU / 1 GiB, every request, concurrency 30 observed, min 1.
    bff_busy = D(20_000_000) * D("0.15") / 30               # 100,000 s
    e[(BFF, "run_cpu_request")] = bff_busy * r["run_cpu_request"]
    e[(BFF, "run_mem_request")] = bff_busy * r["run_mem_request"]
    e[(BFF, "run_cpu_idle")] = (MONTH_S - bff_busy) * r["run_cpu_idle"]
    e[(BFF, "run_mem_idle")] = (MONTH_S - bff_busy) * r["run_mem_idle"]
    # Webhooks: 1 vCPU / 512Mi, 2 % of requests, min 1 (one warm instance idles the rest of the month).
    hooks_busy = D(400_000) * D("0.15") / 30                # 2,000 s
    e[(HOOKS, "run_cpu_request")] = hooks_busy * r["run_cpu_request"]
    e[(HOOKS, "run_mem_request")] = hooks_busy * D("0.5") * r["run_mem_request"]
    e[(HOOKS, "run_cpu_idle")] = (MONTH_S - hooks_busy) * r["run_cpu_idle"]
    e[(HOOKS, "run_mem_idle")] = (MONTH_S - hooks_busy) * D("0.5") * r["run_mem_idle"]
    # 30.4M requests in all: the first 2M are free once, the rest shared by volume.
    paid = (D(30_400_000) - 2_000_000) * g["run_requests"]  # $11.36
    for res, n in ((API, 10_000_000), (BFF, 20_000_000), (HOOKS, 400_000)):
        e[(res, "run_requests")] = paid * n / 30_400_000
    e[(FREE, "run_cpu_request:free")] = -CPU_FREE_USD       # usage exceeds the allowance
    e[(FREE, "run_mem_request:free")] = -MEM_FREE_USD
    backend = "module.edge.google_compute_backend_service.bff"
    e[(backend, "cdn_cache_egress")] = 300 * D("0.7") * CDN_LATAM
    e[(backend, "cdn_cache_fill")] = 300 * D("0.7") * D("0.1") * r["cdn_cache_fill"]
    e[(backend, "cdn_cache_lookup")] = 20_000_000 * g["cdn_cache_lookup"]
    e[(backend, "internet_egress")] = 300 * D("0.3") * r["internet_egress"]
    # db-custom-1-3840 REGIONAL: 1 vCPU + 3.75 GB, instance and disk doubled.
    e[(SQL, "sql_vcpu")] = 2 * 1 * HOURS * r["sql_vcpu"]
    e[(SQL, "sql_ram")] = 2 * D("3.75") * HOURS * r["sql_ram"]
    e[(SQL, "sql_ssd")] = 2 * 50 * r["sql_ssd"]
    e[(SQL, "sql_backup")] = 40 * r["sql_backup"]
    e[(REDIS, "redis_standard_m1")] = 1 * HOURS * r["redis_standard_m1"]
    e[(RULE, "lb_data_processed")] = (300 + 30) * r["lb_data_processed"]
    e[(ARMOR, "armor_rule")] = 4 * g["armor_rule"]          # 2 WAF + rate limit + default
    e[(ARMOR, "armor_requests")] = 20_000_000 * D("0.3") * g["armor_requests"]
    e[(NAT, "nat_gateway")] = 2 * HOURS * g["nat_gateway"]  # the connector's 2 VMs
    e[(NAT, "nat_ip")] = 1 * HOURS * g["nat_ip"]           # one auto-allocated address
    e[(NAT, "nat_data")] = 20 * g["nat_data"]
    for s in [*SECRETS, REDIS_AUTH]:
        e[(s, "secret_versions")] = D(0)
        e[(s, "secret_accesses")] = (1_000_000 - 10_000) * g["secret_accesses"] / 6
    e[(LOGS, "log_storage")] = (80 - 50) * g["log_storage"]
    return e


EXPECTED = {"mvp": expected_mvp, "growth": expected_growth, "scale": expected_scale}


@pytest.mark.parametrize("region", [US, SA])
@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_every_line_item_matches_the_hand_computation(phase, region, catalog):
    est = estimate_plan(plan_of(phase), region, load_usage(phase), catalog, phase)
    got = defaultdict(D)
    for item in est.items:
        got[(item.resource, item.sku)] += item.monthly
    expected = EXPECTED[phase](region)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert abs(got[key] - value) < D("0.000001"), (key, got[key], value)
    assert est.unpriced == []


def test_tier2_free_tier_is_worth_tier1_dollars_not_tier1_seconds(catalog):
    est = estimate_plan(plan_of("scale"), SA, load_usage("scale"), catalog, "scale")
    credit = next(i for i in est.items if i.sku == "run_cpu_request:free")
    assert credit.monthly == -D("4.32")
    # The same 180,000 vCPU-seconds at the Tier 2 rate would be worth more; that is not the rule.
    assert 180_000 * D("0.0000336") == D("6.048")
    assert credit.quantity * D("0.000024") == D("4.32")
