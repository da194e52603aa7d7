"""Every line item of mvp and scale, in us-central1 and southamerica-east1, against arithmetic
done by hand from Google's price pages.

The rates are written out here with the page they come from (and checked against the catalog
first), and each quantity is worked out in the comments from the phase's usage profile
(phases.toml [<phase>.usage]) and the plan, so a change in the catalog, the profiles or the
estimator's arithmetic shows up as a difference, not as a new baseline.
A month is 730 h = 2,628,000 s.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D

import pytest

from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import load_usage
from tests.cost.conftest import plan_of

US, SA = "us-central1", "southamerica-east1"
RUN = "https://cloud.google.com/run/pricing"            # Tier 1 (Iowa) and Tier 2 (São Paulo) tables
RATES = {
    US: {
        # RUN, request-based billing, Tier 1: $0.000024 / vCPU-s, $0.0000025 / GiB-s; idle min instances $0.0000025
        "run_cpu_request": D("0.000024"), "run_mem_request": D("0.0000025"),
        "run_cpu_idle": D("0.0000025"), "run_mem_idle": D("0.0000025"),
        # https://cloud.google.com/compute/vm-instance-pricing: E2 core $0.02181159 / h, RAM $0.00292353 / GB-h (Iowa)
        "vm_e2_core": D("0.02181159"), "vm_e2_ram": D("0.00292353"),
        # https://cloud.google.com/sql/pricing: db-f1-micro $0.0105 / h, vCPU $0.0413 / h, RAM $0.0070 / GB-h,
        # SSD $0.17 / GB-month, backups $0.08 / GB-month (Iowa)
        "sql_micro": D("0.0105"), "sql_vcpu": D("0.0413"), "sql_ram": D("0.0070"),
        "sql_ssd": D("0.17"), "sql_backup": D("0.08"),
        # https://cloud.google.com/memorystore/docs/redis/pricing: Standard M1 $0.064 / GB-h (Iowa)
        "redis_standard_m1": D("0.064"),
        # https://cloud.google.com/vpc/network-pricing: load balancer data processed $0.008 / GiB (Iowa);
        # Premium Tier internet egress $0.12 / GiB for the first TiB
        "lb_data_processed": D("0.008"), "internet_egress": D("0.12"),
    },
    SA: {
        # RUN, Tier 2: $0.0000336 / vCPU-s, $0.0000035 / GiB-s, idle $0.0000035 (the idle rate is a transcription)
        "run_cpu_request": D("0.0000336"), "run_mem_request": D("0.0000035"),
        "run_cpu_idle": D("0.0000035"), "run_mem_idle": D("0.0000035"),
        "vm_e2_core": D("0.034623"), "vm_e2_ram": D("0.0046406"),           # São Paulo E2
        # db-f1-micro $0.0158 / h (São Paulo); vCPU, RAM and storage are Iowa × 1.5 (derived rows)
        "sql_micro": D("0.0158"), "sql_vcpu": D("0.06195"), "sql_ram": D("0.0105"),
        "sql_ssd": D("0.255"), "sql_backup": D("0.12"),
        "redis_standard_m1": D("0.146"),
        "lb_data_processed": D("0.012"),                                      # derived (legacy calculator)
        "internet_egress": D("0.19"),                                         # São Paulo, first TiB
    },
}
# Region-independent: https://cloud.google.com/load-balancing/pricing ($0.025 / h covers the first
# five forwarding rules), /armor/pricing ($5 / policy, $1 / rule, $0.75 / million requests),
# /nat/pricing ($0.0014 / VM-h, $0.005 / IP-h, $0.045 / GiB), /secret-manager/pricing ($0.06 / version
# after 6, $0.03 / 10,000 accesses after 10,000), /stackdriver/pricing (logs $0.50 / GiB after 50;
# $0.10 / alerting condition, $0.35 / million time series; uptime checks $0.30 / 1,000 after a million),
# /artifact-registry/pricing ($0.10 / GB after 0.5), RUN ($0.40 / million requests after 2 million),
# /cdn/pricing (cache egress $0.09 / GiB to Latin America, $0.08 to North America; $0.0075 / 10,000
# lookups; cache fill $0.01 / GiB within North America, up to $0.04 between continents).
G = {
    "lb_rules_first5": D("0.025"), "armor_policy": D(5), "armor_rule": D(1), "armor_requests": D("0.00000075"),
    "nat_gateway": D("0.0014"), "nat_ip": D("0.005"), "nat_data": D("0.045"),
    "secret_accesses": D("0.000003"), "log_storage": D("0.50"), "monitoring_conditions": D("0.10"),
    "monitoring_series": D("0.00000035"), "artifact_storage": D("0.10"), "run_requests": D("0.0000004"),
    "cdn_cache_lookup": D("0.00000075"),
}
CDN_EGRESS = {"latin-america": D("0.09"), "north-america": D("0.08")}
CDN_FILL = {(US, "north-america"): D("0.01"), (US, "latin-america"): D("0.04"),
            (SA, "north-america"): D("0.04"), (SA, "latin-america"): D("0.04")}
HOURS = D(730)
MONTH_S = D(2_628_000)
CPU_CREDIT = 180_000 * D("0.000024")   # RUN: free tier, valued at Tier 1 prices in every region: $4.32
MEM_CREDIT = 360_000 * D("0.0000025")  # $0.90
FREE = "(free tier, billing account)"


def test_rates_written_here_are_the_catalogs(catalog):
    for region, rates in RATES.items():
        for sku, rate in rates.items():
            assert catalog.price(sku, region).top_rate == rate, (sku, region)
    for sku, rate in G.items():
        assert catalog.price(sku, US).top_rate == rate, sku
    for geo, rate in CDN_EGRESS.items():
        assert catalog.price("cdn_cache_egress", US, geo).top_rate == rate
    for (region, geo), rate in CDN_FILL.items():
        assert catalog.price("cdn_cache_fill", region, geo).top_rate == rate


def _network_common(r, e, *, connector, rule, armor, nat, secrets, accesses):
    # Connector: min 2 × e2-micro (0.25 vCPU, 1 GB) all month = 365 vCPU-h + 1,460 GB-h.
    e[(connector, "vm_e2_core")] = 365 * r["vm_e2_core"]
    e[(connector, "vm_e2_ram")] = 1460 * r["vm_e2_ram"]
    e[(rule, "lb_rules_first5")] = HOURS * G["lb_rules_first5"]            # $18.25 for both rules
    e[(armor, "armor_policy")] = G["armor_policy"]
    e[(armor, "armor_rule")] = 4 * G["armor_rule"]                          # 2 WAF + rate limit + default
    # NAT serves every subnet, the connector's included: its 2 VMs and one auto address, all month.
    e[(nat, "nat_gateway")] = 2 * HOURS * G["nat_gateway"]                 # $2.044
    e[(nat, "nat_ip")] = HOURS * G["nat_ip"]                               # $3.65
    for s in secrets:
        e[(s, "secret_versions")] = D(0)                                   # ≤ 6 versions: free
        e[(s, "secret_accesses")] = (accesses - 10_000) * G["secret_accesses"] / len(secrets)


def expected_mvp(region):
    r, e = RATES[region], {}
    api = "module.api.google_cloud_run_v2_service.this"
    edge = "module.edge."
    secrets = [f'module.secrets.google_secret_manager_secret.this["{n}"]' for n in
               ("crm-api-token", "db-admin-password", "oauth-client-secret", "session-signing-key", "whatsapp-token")]
    _network_common(r, e, connector="module.connector.google_vpc_access_connector.this",
                    rule=edge + "google_compute_global_forwarding_rule.http", armor=edge + "google_compute_security_policy.this",
                    nat="module.network.google_compute_router_nat.this", secrets=secrets, accesses=20_000)
    # api (1 vCPU, 512 MiB, request-based): 300,000 user requests + 30,000 webhooks, 0.2 s each.
    # In flight on average: 330,000 × 0.2 / 2,628,000 = 0.025114; busy share 1 − e^−0.025114 = 0.0248014
    # → 65,178.13 s. /ws: 220 h = 792,000 s on one instance (3 connections ≤ 80 per instance); the
    # requests that fall in those hours ride along: 65,178.13 × (1 − 792,000 / 2,628,000) = 45,535.38 s.
    busy = D(792_000) + D("45535.38")                                      # 837,535.38 instance-s
    e[(api, "run_cpu_request")] = busy * 1 * r["run_cpu_request"]          # $20.10 / $28.14
    e[(api, "run_mem_request")] = busy * D("0.5") * r["run_mem_request"]
    e[(api, "run_requests")] = D(0)                                         # 330,000 < 2M free
    e[(FREE, "run_cpu_request:free")] = -CPU_CREDIT                         # usage exceeds the allowance
    e[(FREE, "run_mem_request:free")] = -MEM_CREDIT
    # No CDN: all 5 GiB of responses leave through the load balancer to Latin America.
    e[(edge + "google_compute_backend_service.api", "internet_egress")] = 5 * r["internet_egress"]
    e[(edge + "google_compute_global_forwarding_rule.http", "lb_data_processed")] = (5 + 1) * r["lb_data_processed"]
    e[(edge + "google_compute_security_policy.this", "armor_requests")] = 330_000 * G["armor_requests"]
    sql = "module.database.google_sql_database_instance.this"
    e[(sql, "sql_micro")] = HOURS * r["sql_micro"]                          # zonal db-f1-micro
    e[(sql, "sql_ssd")] = 10 * r["sql_ssd"]
    e[(sql, "sql_backup")] = 3 * r["sql_backup"]
    e[("(project logs)", "log_storage")] = D(0)                              # 2 GiB ≤ 50 free
    e[("(container images)", "artifact_storage")] = (2 - D("0.5")) * G["artifact_storage"]   # $0.15
    return e


def expected_scale(region):
    r, e = RATES[region], {}
    svc = "module.{}.module.service.google_cloud_run_v2_service.managed[0]".format
    edge = "module.edge."
    armor = edge + "google_compute_security_policy.this[0]"
    secrets = ["module.redis.google_secret_manager_secret.auth"] + [
        f'module.secrets.google_secret_manager_secret.this["{n}"]' for n in
        ("crm-api-token", "db-admin-password", "oauth-client-secret", "session-signing-key", "whatsapp-token")]
    _network_common(r, e, connector="module.connector[0].google_vpc_access_connector.this",
                    rule=edge + "google_compute_global_forwarding_rule.http", armor=armor,
                    nat="module.network.google_compute_router_nat.this", secrets=secrets, accesses=1_000_000)
    # Traffic: 20M user requests, the CDN answers 70 % (14M), 6M reach the BFF, half of those
    # call the API (3M); 400,000 webhooks go to their own receiver. 0.15 s per request.
    # API (2 vCPU, 2 GiB, max 10 per instance, min 1): in flight 3M × 0.15 / 2,628,000 = 0.171233;
    # busy 1 − e^−0.171233 = 0.157375 → 413,580.65 s (above 0.171233 / 10); idle 2,214,419.35 s.
    api_busy, api_idle = D("413580.65"), MONTH_S - D("413580.65")
    e[(svc("api"), "run_cpu_request")] = api_busy * 2 * r["run_cpu_request"]
    e[(svc("api"), "run_mem_request")] = api_busy * 2 * r["run_mem_request"]
    e[(svc("api"), "run_cpu_idle")] = api_idle * 2 * r["run_cpu_idle"]
    e[(svc("api"), "run_mem_idle")] = api_idle * 2 * r["run_mem_idle"]
    # BFF (1 vCPU, 1 GiB, min 1): 50 WebSockets at every hour of the month keep one instance busy
    # all 2,628,000 s; its 6M requests ride on it. No idle time left.
    e[(svc("bff"), "run_cpu_request")] = MONTH_S * r["run_cpu_request"]   # $63.07 / $88.30
    e[(svc("bff"), "run_mem_request")] = MONTH_S * r["run_mem_request"]
    # Webhooks (1 vCPU, 512 MiB, min 1): 400,000 × 0.15 / 2,628,000 = 0.022831 in flight;
    # busy 1 − e^−0.022831 = 0.0225724 → 59,320.25 s; one warm instance idles the other 2,568,679.75 s.
    hooks_busy, hooks_idle = D("59320.25"), MONTH_S - D("59320.25")
    e[(svc("webhooks"), "run_cpu_request")] = hooks_busy * r["run_cpu_request"]
    e[(svc("webhooks"), "run_mem_request")] = hooks_busy * D("0.5") * r["run_mem_request"]
    e[(svc("webhooks"), "run_cpu_idle")] = hooks_idle * r["run_cpu_idle"]
    e[(svc("webhooks"), "run_mem_idle")] = hooks_idle * D("0.5") * r["run_mem_idle"]
    # 9.4M Cloud Run requests: the first 2M are free once, the other 7.4M cost $2.96, shared by volume.
    paid = 7_400_000 * G["run_requests"]
    for name, n in (("api", 3_000_000), ("bff", 6_000_000), ("webhooks", 400_000)):
        e[(svc(name), "run_requests")] = paid * n / 9_400_000
    e[(FREE, "run_cpu_request:free")] = -CPU_CREDIT
    e[(FREE, "run_mem_request:free")] = -MEM_CREDIT
    # Edge: 300 GiB of responses, 70 % from cache (210 GiB: 168 to Latin America, 42 to North
    # America), 90 GiB from the BFF through the load balancer (72 + 18); fill 10 % of cache bytes.
    bff_be = edge + 'google_compute_backend_service.this["bff"]'
    e[(bff_be, "cdn_cache_egress")] = 168 * CDN_EGRESS["latin-america"] + 42 * CDN_EGRESS["north-america"]  # $18.48
    e[(bff_be, "cdn_cache_fill")] = D("16.8") * CDN_FILL[(region, "latin-america")] + D("4.2") * CDN_FILL[(region, "north-america")]
    e[(bff_be, "cdn_cache_lookup")] = 20_000_000 * G["cdn_cache_lookup"]   # $15.00
    e[(bff_be, "internet_egress")] = 90 * r["internet_egress"]             # the same rate to both continents
    # The balancer processes what reaches the backends: 90 GiB out + 30 GiB in (cache hits are not).
    e[(edge + "google_compute_global_forwarding_rule.http", "lb_data_processed")] = 120 * r["lb_data_processed"]
    # The backend policy evaluates what is forwarded: 6M + 400,000 webhooks.
    e[(armor, "armor_requests")] = 6_400_000 * G["armor_requests"]         # $4.80
    nat = "module.network.google_compute_router_nat.this"
    e[(nat, "nat_data")] = 20 * G["nat_data"]                               # $0.90
    e[(nat, "internet_egress")] = 20 * r["internet_egress"]                  # the NAT's bytes leave Google too
    # db-custom-1-3840 REGIONAL: 1 vCPU + 3.75 GB, instance and 50 GB disk doubled.
    sql = "module.database.google_sql_database_instance.primary"
    e[(sql, "sql_vcpu")] = 2 * 1 * HOURS * r["sql_vcpu"]
    e[(sql, "sql_ram")] = 2 * D("3.75") * HOURS * r["sql_ram"]
    e[(sql, "sql_ssd")] = 2 * 50 * r["sql_ssd"]
    e[(sql, "sql_backup")] = 40 * r["sql_backup"]
    e[("module.redis.google_redis_instance.this", "redis_standard_m1")] = 1 * HOURS * r["redis_standard_m1"]
    # The disaster-recovery replica in us-central1, zonal, same tier and disk, no backups of its
    # own: billed at us-central1's rates whatever region the estimate is for.
    dr, us = 'module.database.google_sql_database_instance.replica["dr"]', RATES[US]
    e[(dr, "sql_vcpu")] = 1 * HOURS * us["sql_vcpu"]
    e[(dr, "sql_ram")] = D("3.75") * HOURS * us["sql_ram"]
    e[(dr, "sql_ssd")] = 50 * us["sql_ssd"]
    # Alerting: policies of one condition each. CPU, memory, latency and 5xx group by the 3
    # services, uptime by host: 3 series per evaluation each, 1 for uptime; the 8 burn-rate
    # policies (2 public services × availability and latency × fast and slow) read one SLO
    # series each. Once a minute: 43,800 evaluations a month.
    mon = "module.monitoring.google_monitoring_alert_policy."
    burn = [f'burn_rate["{s}-{sli}-{w}"]'
            for s in ("pv-bff", "pv-webhooks") for sli in ("availability", "latency") for w in ("fast", "slow")]
    policies = [('utilization["cpu"]', 3), ('utilization["memory"]', 3), ("latency", 3), ("errors_5xx", 3),
                ("uptime", 1)]
    for policy, series in policies + [(b, 1) for b in burn]:
        e[(mon + policy, "monitoring_conditions")] = G["monitoring_conditions"]
        e[(mon + policy, "monitoring_series")] = series * 43_800 * G["monitoring_series"]
    # Uptime check every 300 s from 6 checkers: 52,560 executions, under the free million.
    e[("module.monitoring.google_monitoring_uptime_check_config.site", "uptime_executions")] = D(0)
    e[("(project logs)", "log_storage")] = (80 - 50) * G["log_storage"]      # $15.00
    e[("(container images)", "artifact_storage")] = (8 - D("0.5")) * G["artifact_storage"]   # $0.75
    return e


EXPECTED = {"mvp": expected_mvp, "scale": expected_scale}
# The totals those lines add up to, to the cent.
TOTALS = {("mvp", US): D("71.78"), ("mvp", SA): D("92.64"), ("scale", US): D("465.50"), ("scale", SA): D("650.20")}


@pytest.mark.parametrize("region", [US, SA])
@pytest.mark.parametrize("phase", ["mvp", "scale"])
def test_every_line_item_matches_the_hand_computation(phase, region, catalog):
    est = estimate_plan(plan_of(phase), region, load_usage(phase), catalog, phase)
    got = defaultdict(D)
    for item in est.items:
        got[(item.resource, item.sku)] += item.monthly
    expected = EXPECTED[phase](region)
    assert set(got) == set(expected)
    for key, value in expected.items():
        # Busy seconds above are written to the cent of a second: a few millionths of a dollar.
        assert abs(got[key] - value) < D("0.0001"), (key, got[key], value)
    assert sum(expected.values(), D(0)).quantize(D("0.01")) == TOTALS[(phase, region)]
    assert est.unpriced == []
