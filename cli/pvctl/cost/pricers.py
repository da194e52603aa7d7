"""Resource → billable quantities, one function per Terraform resource type.

A pricer returns `Usage` records (how much of which catalog SKU a resource consumes in a
month); `estimate.py` turns them into money, walking tiers over the whole plan so free tiers
and volume tiers are applied once per billing account, not once per resource.
Types that cost nothing by nature are in FREE_TYPES with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pvctl.cost import quantities
from pvctl.cost.plan_input import PlannedResource
from pvctl.cost.usage import UsageProfile

_IAM = "IAM grants are free"

FREE_TYPES: dict[str, str] = {
    "google_project_service": "enabling an API is free",
    "google_service_account": "service accounts are free",
    "google_project_iam_member": _IAM,
    "google_project_iam_binding": _IAM,
    "google_service_account_iam_member": _IAM,
    "google_cloud_run_v2_service_iam_member": _IAM,
    "google_cloud_run_v2_service_iam_binding": _IAM,
    "google_secret_manager_secret_iam_member": _IAM,
    "google_secret_manager_secret_iam_binding": _IAM,
    "google_secret_manager_secret_version": "versions are priced on their secret (usage key secret_versions_per_secret)",
    "google_compute_region_network_endpoint_group": "serverless NEGs are free",
    "google_compute_url_map": "URL maps are free (rules are billed on forwarding rules)",
    "google_compute_target_https_proxy": "target proxies are free",
    "google_compute_target_http_proxy": "target proxies are free",
    "google_compute_ssl_policy": "SSL policies are free",
    "google_compute_managed_ssl_certificate": "Google-managed certificates are free",
    "google_compute_global_address": "a static IP in use by a forwarding rule, or a private service range, is free",
    "google_compute_network": "VPC networks are free",
    "google_compute_subnetwork": "subnets are free",
    "google_compute_router": "Cloud Routers used only for NAT are free",
    "google_compute_firewall": "firewall rules are free",
    "google_service_networking_connection": "private services access peering is free",
    "google_sql_database": "databases are part of their Cloud SQL instance",
    "google_sql_user": "users are part of their Cloud SQL instance",
    "google_monitoring_alert_policy": "alerting policies are free (Google announced charges from 2027-09-01)",
    "google_monitoring_notification_channel": "notification channels are free",
    "google_monitoring_uptime_check_config": "uptime checks are free",
    "google_billing_budget": "budgets are free",
    "google_cloud_run_domain_mapping": "domain mappings are free",
    "terraform_data": "not a cloud resource",
    "random_id": "not a cloud resource",
    "random_password": "not a cloud resource",
}


class Unpriceable(Exception):
    """The resource type is known but this configuration has no price in the catalog."""


class Covered(Exception):
    """The resource costs nothing of its own: another resource's line carries the charge."""


@dataclass(frozen=True)
class Usage:
    component: str
    resource: str
    sku: str
    quantity: Decimal
    note: str = ""
    region: str | None = None  # catalog row key when it is not the estimate's region


@dataclass
class Context:
    region: str
    usage: UsageProfile
    hours: Decimal
    resources: list[PlannedResource]

    @property
    def seconds(self) -> Decimal:
        return self.hours * 3600

    def of_type(self, type_: str) -> list[PlannedResource]:
        return sorted((r for r in self.resources if r.type == type_), key=lambda r: r.address)

    def cdn_backend(self) -> PlannedResource | None:
        return next((r for r in self.of_type("google_compute_backend_service") if r.get("enable_cdn") is True), None)

    def egress_entry(self) -> PlannedResource | None:
        """Where user-facing bytes leave Google: the CDN backend, a backend service, or a Cloud Run service."""
        backends = self.of_type("google_compute_backend_service")
        services = self.of_type("google_cloud_run_v2_service")
        return self.cdn_backend() or (backends[0] if backends else None) or (services[0] if services else None)


def _dec(value: float | int) -> Decimal:
    return Decimal(str(value))


# ---- Cloud Run -----------------------------------------------------------------------------

def cloud_run_v2_service(r: PlannedResource, ctx: Context) -> list[Usage]:
    containers = r.get("template", 0, "containers", default=[])
    notes = []
    vcpus, gib = Decimal(0), Decimal(0)
    for container in containers or [{}]:
        limits = ((container.get("resources") or [{}])[0] or {}).get("limits") or {}
        try:
            vcpus += quantities.cpu(limits.get("cpu") or "1")
            gib += quantities.memory_gib(limits.get("memory") or "512Mi")
        except (ValueError, ArithmeticError):
            raise Unpriceable(f"cannot read resource limits {limits!r}") from None
    first_resources = ((containers or [{}])[0].get("resources") or [None])[0]
    if not first_resources:
        notes.append("no resource limits in the plan: Cloud Run defaults 1 vCPU, 512Mi")
    # The API treats a service that sets `resources` without cpu_idle=true as CPU always allocated.
    request_based = first_resources is None or first_resources.get("cpu_idle") is True
    min_instances = _dec(r.get("template", 0, "scaling", 0, "min_instance_count", default=0)
                         or r.get("scaling", 0, "min_instance_count", default=0))
    max_instances = r.get("template", 0, "scaling", 0, "max_instance_count", default=None)
    max_concurrency = _dec(r.get("template", 0, "max_instance_request_concurrency", default=80))
    concurrency = min(_dec(ctx.usage.concurrency_observed), max_concurrency) or Decimal(1)

    share = ctx.usage.share(r.get("name", default=r.name))
    requests = _dec(ctx.usage.requests_per_month) * _dec(share)
    busy = requests * _dec(ctx.usage.avg_request_seconds) / concurrency
    if max_instances:
        busy = min(busy, _dec(max_instances) * ctx.seconds)
    always_on = min_instances * ctx.seconds
    comp = "Cloud Run"
    shape = f"{vcpus:g} vCPU, {gib:g} GiB"
    if request_based:
        idle = max(Decimal(0), always_on - busy)
        found = [
            Usage(comp, r.address, "run_cpu_request", busy * vcpus, f"request-based, {shape}, {busy:.0f} busy instance-s"),
            Usage(comp, r.address, "run_mem_request", busy * gib, f"request-based, {shape}"),
            Usage(comp, r.address, "run_requests", requests, f"{share:g} of the requests"),
        ]
        if idle:
            found += [
                Usage(comp, r.address, "run_cpu_idle", idle * vcpus, f"{min_instances:g} idle min instance(s)"),
                Usage(comp, r.address, "run_mem_idle", idle * gib, f"{min_instances:g} idle min instance(s)"),
            ]
    else:
        up = max(always_on, busy)
        why = "cpu_idle=false" if first_resources and first_resources.get("cpu_idle") is False \
            else "cpu_idle not set with resources: CPU always allocated"
        found = [
            Usage(comp, r.address, "run_cpu_instance", up * vcpus, f"instance-based ({why}), {shape}"),
            Usage(comp, r.address, "run_mem_instance", up * gib, f"instance-based, {shape}"),
        ]
    if notes:
        found = [Usage(u.component, u.resource, u.sku, u.quantity, "; ".join([u.note, *notes])) for u in found]
    return found


# ---- Serverless VPC Access and NAT ---------------------------------------------------------

# Connector machine types → the Compute Engine SKUs their VMs are billed as.
_CONNECTOR_VMS: dict[str, list[tuple[str, Decimal]]] = {
    "e2-micro": [("vm_e2_core", Decimal("0.25")), ("vm_e2_ram", Decimal(1))],
    "e2-standard-4": [("vm_e2_core", Decimal(4)), ("vm_e2_ram", Decimal(16))],
    "f1-micro": [("vm_f1_micro", Decimal(1))],
}


def _connector_instances(r: PlannedResource) -> Decimal:
    # A connector runs at least min_instances VMs (provider default 2) and scales back down slowly.
    return _dec(r.get("min_instances", default=2))


def vpc_access_connector(r: PlannedResource, ctx: Context) -> list[Usage]:
    machine = r.get("machine_type", default="e2-micro")
    if machine not in _CONNECTOR_VMS:
        raise Unpriceable(f"connector machine type {machine!r} has no price")
    n = _connector_instances(r)
    return [Usage("Serverless VPC Access", r.address, sku, n * factor * ctx.hours,
                  f"{n:g} × {machine} VM (min_instances)") for sku, factor in _CONNECTOR_VMS[machine]]


def router_nat(r: PlannedResource, ctx: Context) -> list[Usage]:
    """NAT bills per VM that sends through it: the connector's VMs, or the instances of services on
    Direct VPC egress, and only when a service routes all its traffic (internet included) into the VPC."""
    routed = [s for s in ctx.of_type("google_cloud_run_v2_service")
              if s.get("template", 0, "vpc_access", 0, "egress") == "ALL_TRAFFIC"]
    if not routed:
        raise Covered
    vms = Decimal(0)
    if any(s.get("template", 0, "vpc_access", 0, "connector") or s.unknown_at("template", 0, "vpc_access", 0, "connector")
           for s in routed):
        vms += sum((_connector_instances(c) for c in ctx.of_type("google_vpc_access_connector")), Decimal(0))
    direct = [s for s in routed if s.get("template", 0, "vpc_access", 0, "network_interfaces")]
    vms += sum((max(Decimal(1), _dec(s.get("template", 0, "scaling", 0, "min_instance_count", default=0)))
                for s in direct), Decimal(0))
    vms = min(vms or Decimal(1), Decimal(32))  # the hourly charge stops growing at 32 VMs
    ips = _dec(len(r.get("nat_ips", default=[])) or 1)  # AUTO_ONLY allocates at least one address
    return [
        Usage("Cloud NAT", r.address, "nat_gateway", vms * ctx.hours, f"{vms:g} VM(s) send through the gateway"),
        Usage("Cloud NAT", r.address, "nat_ip", ips * ctx.hours, f"{ips:g} external IP(s) used by the gateway"),
        Usage("Cloud NAT", r.address, "nat_data", _dec(ctx.usage.nat_gb_per_month), "usage nat_gb_per_month"),
    ]


# ---- Cloud SQL -------------------------------------------------------------------------------

def sql_database_instance(r: PlannedResource, ctx: Context) -> list[Usage]:
    tier = r.get("settings", 0, "tier")
    if not tier:
        raise Unpriceable("settings.tier is unknown in the plan")
    edition = r.get("settings", 0, "edition", default="ENTERPRISE")
    if edition != "ENTERPRISE":
        raise Unpriceable(f"edition {edition} has no price in the catalog (only ENTERPRISE)")
    shape = quantities.sql_tier_shape(tier)
    if shape is None:
        raise Unpriceable(f"tier {tier!r} has no price in the catalog")
    ha = r.get("settings", 0, "availability_type", default="ZONAL") == "REGIONAL"
    factor = Decimal(2) if ha else Decimal(1)
    layout = "regional HA: 2× zonal" if ha else "zonal"
    comp = "Cloud SQL"
    kind, vcpus, ram = shape
    if kind == "shared":
        sku = "sql_micro" if tier == "db-f1-micro" else "sql_small"
        found = [Usage(comp, r.address, sku, factor * ctx.hours, f"{tier}, {layout}")]
    else:
        found = [
            Usage(comp, r.address, "sql_vcpu", factor * vcpus * ctx.hours, f"{tier}: {vcpus:g} vCPU, {layout}"),
            Usage(comp, r.address, "sql_ram", factor * ram * ctx.hours, f"{tier}: {ram:g} GB RAM, {layout}"),
        ]
    disk_gb = _dec(r.get("settings", 0, "disk_size", default=10))
    disk_sku = "sql_hdd" if r.get("settings", 0, "disk_type", default="PD_SSD") == "PD_HDD" else "sql_ssd"
    found.append(Usage(comp, r.address, disk_sku, factor * disk_gb, f"{disk_gb:g} GB provisioned, {layout}"))
    if r.get("settings", 0, "backup_configuration", 0, "enabled") is True and ctx.usage.db_backup_gb:
        found.append(Usage(comp, r.address, "sql_backup", _dec(ctx.usage.db_backup_gb), "usage db_backup_gb"))
    return found


# ---- Memorystore -----------------------------------------------------------------------------

def _redis_capacity_tier(gb: Decimal) -> int:
    for tier, upper in enumerate((4, 10, 35, 100), start=1):
        if gb <= upper:
            return tier
    return 5


def redis_instance(r: PlannedResource, ctx: Context) -> list[Usage]:
    tier = r.get("tier", default="BASIC")
    kind = {"BASIC": "basic", "STANDARD_HA": "standard"}.get(tier)
    if kind is None:
        raise Unpriceable(f"Redis tier {tier!r} has no price")
    gb = _dec(r.get("memory_size_gb", default=1))
    m = _redis_capacity_tier(gb)
    note = f"{tier}, {gb:g} GB (capacity tier M{m})"
    if r.get("read_replicas_mode") == "READ_REPLICAS_ENABLED":
        note += "; read replicas are not priced"
    return [Usage("Memorystore", r.address, f"redis_{kind}_m{m}", gb * ctx.hours, note)]


# ---- Load balancing, CDN, Armor, egress ------------------------------------------------------

_FIRST_RULES = 5


def global_forwarding_rule(r: PlannedResource, ctx: Context) -> list[Usage]:
    rules = ctx.of_type("google_compute_global_forwarding_rule")
    position = rules.index(r)
    found = []
    if position == 0:
        found.append(Usage("Load balancing", r.address, "lb_rules_first5", ctx.hours,
                           f"one flat charge covers the first {_FIRST_RULES} rules ({len(rules)} in this plan)"))
        gib = _dec(ctx.usage.egress_gb_per_month) + _dec(ctx.usage.ingress_gb_per_month)
        found.append(Usage("Load balancing", r.address, "lb_data_processed", gib, "inbound + outbound GiB"))
    elif position >= _FIRST_RULES:
        found.append(Usage("Load balancing", r.address, "lb_rules_additional", ctx.hours, "rule past the first five"))
    else:
        raise Covered
    return found


def backend_service(r: PlannedResource, ctx: Context) -> list[Usage]:
    u = ctx.usage
    found = []
    if r is ctx.cdn_backend():
        hit_gib = _dec(u.egress_gb_per_month) * _dec(u.cdn_cache_hit_ratio)
        found += [
            Usage("Cloud CDN", r.address, "cdn_cache_egress", hit_gib, f"cache hits to {u.client_geo}",
                  region=f"dest:{u.client_geo}"),
            Usage("Cloud CDN", r.address, "cdn_cache_fill", hit_gib * _dec(u.cdn_fill_ratio), "usage cdn_fill_ratio"),
            Usage("Cloud CDN", r.address, "cdn_cache_lookup", _dec(u.requests_per_month), "every request is a lookup"),
        ]
    if r is ctx.egress_entry():
        found.append(_internet_egress(r, ctx))
    if not found:
        raise Covered
    return found


def _internet_egress(r: PlannedResource, ctx: Context) -> Usage:
    u = ctx.usage
    miss = Decimal(1) - _dec(u.cdn_cache_hit_ratio) if ctx.cdn_backend() is not None else Decimal(1)
    return Usage("Internet egress", r.address, "internet_egress", _dec(u.egress_gb_per_month) * miss,
                 "responses not served from the CDN cache" if miss != 1 else "all responses")


def security_policy(r: PlannedResource, ctx: Context) -> list[Usage]:
    rules = r.get("rule", default=[])
    n_rules = Decimal(len(rules) if rules else 1)  # the API always adds the default rule
    requests = _dec(ctx.usage.requests_per_month)
    edge = r.get("type") == "CLOUD_ARMOR_EDGE"
    if ctx.cdn_backend() is not None and not edge:
        # Backend policies are not evaluated for cache hits.
        requests *= Decimal(1) - _dec(ctx.usage.cdn_cache_hit_ratio)
    return [
        Usage("Cloud Armor", r.address, "armor_policy", Decimal(1), "one policy"),
        Usage("Cloud Armor", r.address, "armor_rule", n_rules, "every rule block, the default rule included"),
        Usage("Cloud Armor", r.address, "armor_requests", requests, "requests evaluated (cache hits skip backend policies)"),
    ]


def security_policy_rule(r: PlannedResource, ctx: Context) -> list[Usage]:
    return [Usage("Cloud Armor", r.address, "armor_rule", Decimal(1), "one rule")]


def cloud_run_entry(r: PlannedResource, ctx: Context) -> list[Usage]:
    found = cloud_run_v2_service(r, ctx)
    if r is ctx.egress_entry():
        found.append(_internet_egress(r, ctx))
    return found


# ---- Secret Manager --------------------------------------------------------------------------

def secret(r: PlannedResource, ctx: Context) -> list[Usage]:
    replicas = r.get("replication", 0, "user_managed", 0, "replicas", default=None)
    locations = Decimal(len(replicas)) if replicas else Decimal(1)
    secrets = len(ctx.of_type("google_secret_manager_secret"))
    return [
        Usage("Secret Manager", r.address, "secret_versions", _dec(ctx.usage.secret_versions_per_secret) * locations,
              f"{ctx.usage.secret_versions_per_secret:g} active version(s) × {locations:g} location(s)"),
        Usage("Secret Manager", r.address, "secret_accesses", _dec(ctx.usage.secret_accesses_per_month) / secrets,
              f"1/{secrets} of secret_accesses_per_month"),
    ]


PRICERS: dict[str, Callable[[PlannedResource, Context], list[Usage]]] = {
    "google_cloud_run_v2_service": cloud_run_entry,
    "google_vpc_access_connector": vpc_access_connector,
    "google_compute_router_nat": router_nat,
    "google_sql_database_instance": sql_database_instance,
    "google_redis_instance": redis_instance,
    "google_compute_global_forwarding_rule": global_forwarding_rule,
    "google_compute_backend_service": backend_service,
    "google_compute_security_policy": security_policy,
    "google_compute_security_policy_rule": security_policy_rule,
    "google_secret_manager_secret": secret,
}

# Why a priced type produced no line of its own (it is covered elsewhere).
COVERED_REASON = {
    "google_compute_global_forwarding_rule": "covered by the forwarding-rule minimum charge (first five rules)",
    "google_compute_backend_service": "backend services are free; CDN and egress are priced on the CDN backend",
    "google_compute_router_nat": "no Cloud Run service routes internet traffic into the VPC (egress ALL_TRAFFIC), so no VM uses the gateway",
}


def project_usage(ctx: Context) -> list[Usage]:
    """Usage that belongs to the project rather than to one resource."""
    return [Usage("Cloud Logging", "(project logs)", "log_storage", _dec(ctx.usage.log_gb_per_month),
                  "usage log_gb_per_month; first 50 GiB per project free")]
