"""Resource → billable quantities, one function per Terraform resource type.

A pricer returns `Usage` records (how much of which catalog SKU a resource consumes in a
month); `estimate.py` turns them into money, walking tiers over the whole plan so free tiers
and volume tiers are applied once per billing account, not once per resource.
Types that cost nothing by nature are in FREE_TYPES with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import cached_property

from pvctl.cost import quantities
from pvctl.cost.plan_input import PlannedResource
from pvctl.cost.traffic import Split, busy_seconds, dec, instance_seconds, split
from pvctl.cost.usage import UsageProfile, has_role

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
    "google_monitoring_notification_channel": "notification channels are free",
    "google_monitoring_dashboard": "dashboards are free",
    "google_monitoring_custom_service": "Monitoring services are free",
    "google_monitoring_slo": "SLOs are free (their burn-rate alerts are billed as alert policies)",
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
    geo: str | None = None     # client geography the quantity goes to (rows priced by destination)


@dataclass
class Context:
    region: str
    usage: UsageProfile
    hours: Decimal
    resources: list[PlannedResource]
    rate: Callable[[str], Decimal] = lambda sku: Decimal(0)   # first paid rate of a SKU here
    hints: list[str] = field(default_factory=list)              # cheaper settings worth knowing
    regions: frozenset[str] = frozenset()                       # regions the catalog has rows for

    @property
    def seconds(self) -> Decimal:
        return self.hours * 3600

    @cached_property
    def traffic(self) -> Split:
        return split(self.usage, self.cdn_backend() is not None)

    def of_type(self, type_: str) -> list[PlannedResource]:
        return sorted((r for r in self.resources if r.type == type_), key=lambda r: r.address)

    def cdn_backend(self) -> PlannedResource | None:
        return next((r for r in self.of_type("google_compute_backend_service") if r.get("enable_cdn") is True), None)

    def egress_entry(self) -> PlannedResource | None:
        """Where user-facing bytes leave Google: the CDN backend, a backend service, or a Cloud Run service."""
        backends = self.of_type("google_compute_backend_service")
        services = self.of_type("google_cloud_run_v2_service")
        return self.cdn_backend() or (backends[0] if backends else None) or (services[0] if services else None)

    def home_region(self) -> str | None:
        """The region the plan puts its Cloud Run services in (None without services)."""
        return next((s.get("location") for s in self.of_type("google_cloud_run_v2_service")), None)

    def service_names(self) -> list[str]:
        return [s.get("name", default=s.name) for s in self.of_type("google_cloud_run_v2_service")]

    def webhook_receiver(self) -> str | None:
        """Webhooks go to their own receiver where there is one, else to the api service."""
        names = self.service_names()
        return next((n for n in names if has_role(n, "webhooks")), None) \
            or next((n for n in names if has_role(n, "api")), names[0] if names else None)


# ---- Cloud Run -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shape:
    vcpus: Decimal
    gib: Decimal
    request_based: bool
    why: str
    notes: tuple[str, ...]


def _shape(r: PlannedResource) -> _Shape:
    containers = r.get("template", 0, "containers", default=[])
    vcpus, gib = Decimal(0), Decimal(0)
    for container in containers or [{}]:
        limits = ((container.get("resources") or [{}])[0] or {}).get("limits") or {}
        try:
            vcpus += quantities.cpu(limits.get("cpu") or "1")
            gib += quantities.memory_gib(limits.get("memory") or "512Mi")
        except (ValueError, ArithmeticError):
            raise Unpriceable(f"cannot read resource limits {limits!r}") from None
    first = ((containers or [{}])[0].get("resources") or [None])[0]
    notes = () if first else ("no resource limits in the plan: Cloud Run defaults 1 vCPU, 512Mi",)
    # The API treats a service that sets `resources` without cpu_idle=true as CPU always allocated.
    request_based = first is None or first.get("cpu_idle") is True
    why = "cpu_idle=true" if request_based else (
        "cpu_idle=false" if first and first.get("cpu_idle") is False
        else "cpu_idle not set with resources: CPU always allocated")
    return _Shape(vcpus, gib, request_based, why, notes)


def cloud_run_v2_service(r: PlannedResource, ctx: Context) -> list[Usage]:
    shape = _shape(r)
    name = r.get("name", default=r.name)
    u, t, month = ctx.usage, ctx.traffic, ctx.seconds
    min_instances = dec(r.get("template", 0, "scaling", 0, "min_instance_count", default=0)
                         or r.get("scaling", 0, "min_instance_count", default=0))
    max_instances = r.get("template", 0, "scaling", 0, "max_instance_count", default=None)
    concurrency = dec(r.get("template", 0, "max_instance_request_concurrency", default=80)) or Decimal(1)

    share = dec(u.share(name))
    requests = t.origin_requests * share
    if name == ctx.webhook_receiver():
        requests += t.webhook_requests
    http_busy = busy_seconds(requests, dec(u.avg_request_seconds), concurrency, month)
    ws_seconds, ws_instances = Decimal(0), Decimal(0)
    if has_role(name, u.websocket_service) and u.websocket_connections and u.websocket_hours_per_month:
        ws_seconds = dec(u.websocket_hours_per_month) * 3600
        ws_instances = (dec(u.websocket_connections) / concurrency).to_integral_value(rounding=ROUND_CEILING)
    busy = instance_seconds(http_busy, ws_seconds, ws_instances, month)
    if max_instances:
        busy = min(busy, dec(max_instances) * month)
    always_on = min_instances * month
    idle = max(Decimal(0), always_on - busy)
    up = max(always_on, busy)

    connection_hours = dec(u.websocket_connections) * dec(u.websocket_hours_per_month)
    sockets = (f" + {u.websocket_connections:g} WebSocket(s) {u.websocket_hours_per_month:g} h"
               f" ({connection_hours:,.0f} connection-hours)") if ws_seconds else ""
    how = f"{requests:,.0f} requests × {u.avg_request_seconds:g} s{sockets} → {busy / 3600:,.1f} busy instance-hours"
    kind = f"{shape.vcpus:g} vCPU, {shape.gib:g} GiB"
    comp = "Cloud Run"
    per_request = busy * (shape.vcpus * ctx.rate("run_cpu_request") + shape.gib * ctx.rate("run_mem_request")) \
        + idle * (shape.vcpus * ctx.rate("run_cpu_idle") + shape.gib * ctx.rate("run_mem_idle")) \
        + requests * ctx.rate("run_requests")
    per_instance = up * (shape.vcpus * ctx.rate("run_cpu_instance") + shape.gib * ctx.rate("run_mem_instance"))
    if shape.request_based:
        found = [
            Usage(comp, r.address, "run_cpu_request", busy * shape.vcpus,
                  f"request-based ({shape.why}), {kind}; {how}"),
            Usage(comp, r.address, "run_mem_request", busy * shape.gib, f"request-based, {kind}"),
            Usage(comp, r.address, "run_requests", requests, f"{share:g} of origin requests"
                  + (" + webhooks" if name == ctx.webhook_receiver() and t.webhook_requests else "")),
        ]
        if idle:
            found += [
                Usage(comp, r.address, "run_cpu_idle", idle * shape.vcpus,
                      f"{min_instances:g} min instance(s) idle the rest of the month"),
                Usage(comp, r.address, "run_mem_idle", idle * shape.gib, f"{min_instances:g} min instance(s) idle"),
            ]
        if per_instance < per_request:
            ctx.hints.append(f"{r.address}: instance-based billing (cpu_idle=false) would cost ${per_instance:,.2f} "
                             f"instead of ${per_request:,.2f} a month before free tiers, plus the idle time "
                             "instances are kept before they shut down")
    else:
        found = [
            Usage(comp, r.address, "run_cpu_instance", up * shape.vcpus,
                  f"instance-based ({shape.why}), {kind}; {how}"),
            Usage(comp, r.address, "run_mem_instance", up * shape.gib, f"instance-based, {kind}"),
        ]
        if per_request < per_instance:
            ctx.hints.append(f"{r.address}: request-based billing (cpu_idle=true) would cost ${per_request:,.2f} "
                             f"instead of ${per_instance:,.2f} a month before free tiers")
    if shape.notes:
        found = [Usage(x.component, x.resource, x.sku, x.quantity, "; ".join([x.note, *shape.notes])) for x in found]
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
    return dec(r.get("min_instances", default=2))


def vpc_access_connector(r: PlannedResource, ctx: Context) -> list[Usage]:
    machine = r.get("machine_type", default="e2-micro")
    if machine not in _CONNECTOR_VMS:
        raise Unpriceable(f"connector machine type {machine!r} has no price")
    n = _connector_instances(r)
    return [Usage("Serverless VPC Access", r.address, sku, n * factor * ctx.hours,
                  f"{n:g} × {machine} VM (min_instances)") for sku, factor in _CONNECTOR_VMS[machine]]


_NAT_VM_CAP = Decimal(32)  # https://cloud.google.com/nat/pricing: the per-VM hourly charge stops growing at 32 VMs


def router_nat(r: PlannedResource, ctx: Context) -> list[Usage]:
    """A gateway bills every VM it has assigned (a connector's VMs sit in a subnet the gateway
    serves) and each of its IP addresses, whether or not traffic flows; then per GiB it carries.
    Cloud Run instances on Direct VPC egress count as VMs when they send all traffic into the VPC."""
    vms = sum((_connector_instances(c) for c in ctx.of_type("google_vpc_access_connector")), Decimal(0))
    direct = [s for s in ctx.of_type("google_cloud_run_v2_service")
              if s.get("template", 0, "vpc_access", 0, "egress") == "ALL_TRAFFIC"
              and s.get("template", 0, "vpc_access", 0, "network_interfaces")]
    vms += sum((max(Decimal(1), dec(s.get("template", 0, "scaling", 0, "min_instance_count", default=0)))
                for s in direct), Decimal(0))
    vms = min(vms, _NAT_VM_CAP)
    ips = dec(len(r.get("nat_ips", default=[])) or 1)  # AUTO_ONLY allocates at least one address
    gib = dec(ctx.usage.nat_gb_per_month)
    found = [
        Usage("Cloud NAT", r.address, "nat_gateway", vms * ctx.hours,
              f"{vms:g} VM(s) assigned to the gateway (connector VMs included)"),
        Usage("Cloud NAT", r.address, "nat_ip", ips * ctx.hours, f"{ips:g} external IP(s) used by the gateway"),
    ]
    if gib:
        found += [
            Usage("Cloud NAT", r.address, "nat_data", gib, "usage nat_gb_per_month, processed by the gateway"),
            Usage("Internet egress", r.address, "internet_egress", gib,
                  "the same bytes leaving Google through the gateway"),
        ]
    return found


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
    # An instance outside the services' region (the cross-region disaster-recovery replica) is
    # billed at its own region's rates; the others at the estimate's region.
    own, home = r.get("region"), ctx.home_region()
    row = own if own and home and own != home else None
    if row and row not in ctx.regions:
        raise Unpriceable(f"its region {row} has no prices in the catalog (priced: {', '.join(sorted(ctx.regions))})")
    layout = ("regional HA: 2× zonal" if ha else "zonal") + (f", in {own}" if row else "")
    comp = "Cloud SQL"
    kind, vcpus, ram = shape
    if kind == "shared":
        sku = "sql_micro" if tier == "db-f1-micro" else "sql_small"
        found = [Usage(comp, r.address, sku, factor * ctx.hours, f"{tier}, {layout}", row)]
    else:
        found = [
            Usage(comp, r.address, "sql_vcpu", factor * vcpus * ctx.hours, f"{tier}: {vcpus:g} vCPU, {layout}", row),
            Usage(comp, r.address, "sql_ram", factor * ram * ctx.hours, f"{tier}: {ram:g} GB RAM, {layout}", row),
        ]
    disk_gb = dec(r.get("settings", 0, "disk_size", default=10))
    disk_sku = "sql_hdd" if r.get("settings", 0, "disk_type", default="PD_SSD") == "PD_HDD" else "sql_ssd"
    found.append(Usage(comp, r.address, disk_sku, factor * disk_gb, f"{disk_gb:g} GB provisioned, {layout}", row))
    if r.get("settings", 0, "backup_configuration", 0, "enabled") is True and ctx.usage.db_backup_gb:
        found.append(Usage(comp, r.address, "sql_backup", dec(ctx.usage.db_backup_gb), "usage db_backup_gb", row))
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
    gb = dec(r.get("memory_size_gb", default=1))
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
        t = ctx.traffic
        found.append(Usage("Load balancing", r.address, "lb_rules_first5", ctx.hours,
                           f"one flat charge covers the first {_FIRST_RULES} rules ({len(rules)} in this plan)"))
        found.append(Usage("Load balancing", r.address, "lb_data_processed", t.processed_gib,
                           f"{t.ingress_gib:g} GiB in + {t.origin_gib:g} GiB out through the backends; "
                           "cache hits are not processed"))
    elif position >= _FIRST_RULES:
        found.append(Usage("Load balancing", r.address, "lb_rules_additional", ctx.hours, "rule past the first five"))
    else:
        raise Covered
    return found


def backend_service(r: PlannedResource, ctx: Context) -> list[Usage]:
    u, t = ctx.usage, ctx.traffic
    found = []
    if r is ctx.cdn_backend():
        # Webhooks share the CDN backend only where it is the one backend.
        shared = len(ctx.of_type("google_compute_backend_service")) == 1
        lookups = t.user_requests + (t.webhook_requests if shared else 0)
        for geo, gib in t.by_geo(t.hit_gib):
            found.append(Usage("Cloud CDN", r.address, "cdn_cache_egress", gib, f"cache hits to {geo}", geo=geo))
        for geo, gib in t.by_geo(t.hit_gib * dec(u.cdn_fill_ratio)):
            found.append(Usage("Cloud CDN", r.address, "cdn_cache_fill", gib,
                               f"filled from {ctx.region} for {geo} caches", geo=geo))
        found.append(Usage("Cloud CDN", r.address, "cdn_cache_lookup", lookups,
                           "every request to a CDN backend is a lookup"))
    if r is ctx.egress_entry():
        found += _internet_egress(r, ctx)
    if not found:
        raise Covered
    return found


def _internet_egress(r: PlannedResource, ctx: Context) -> list[Usage]:
    t = ctx.traffic
    why = "responses the CDN did not serve" if t.hit_gib else "all responses"
    return [Usage("Internet egress", r.address, "internet_egress", gib, f"{why}, to {geo}", geo=geo)
            for geo, gib in t.by_geo(t.origin_gib)]


def security_policy(r: PlannedResource, ctx: Context) -> list[Usage]:
    rules = r.get("rule", default=[])
    n_rules = Decimal(len(rules) if rules else 1)  # the API always adds the default rule
    t = ctx.traffic
    edge = r.get("type") == "CLOUD_ARMOR_EDGE"
    # A backend policy sees what the load balancer forwards; an edge policy sees cache hits too.
    requests = t.backend_requests + (t.cdn_hits if edge else 0)
    return [
        Usage("Cloud Armor", r.address, "armor_policy", Decimal(1), "one policy"),
        Usage("Cloud Armor", r.address, "armor_rule", n_rules, "every rule block, the default rule included"),
        Usage("Cloud Armor", r.address, "armor_requests", requests,
              "requests forwarded to backends (origin + webhooks)" + ("; edge policy: cache hits too" if edge else "")),
    ]


def security_policy_rule(r: PlannedResource, ctx: Context) -> list[Usage]:
    return [Usage("Cloud Armor", r.address, "armor_rule", Decimal(1), "one rule")]


def cloud_run_entry(r: PlannedResource, ctx: Context) -> list[Usage]:
    found = cloud_run_v2_service(r, ctx)
    if r is ctx.egress_entry():
        found += _internet_egress(r, ctx)
    return found


# ---- Cloud Monitoring ------------------------------------------------------------------------

_EVALUATIONS_PER_HOUR = 60   # a metric condition's query runs about once a minute
_UPTIME_CHECKERS = 6         # all checker regions: three in the USA, Europe, South America, Asia Pacific


def alert_policy(r: PlannedResource, ctx: Context) -> list[Usage]:
    conditions = r.get("conditions", default=[]) or [{}]
    services = max(1, len(ctx.service_names()))
    # A condition grouped by Cloud Run service returns one time series per service each evaluation.
    series = sum((dec(services if "cloud_run_revision" in str(c) else 1) for c in conditions), Decimal(0))
    return [
        Usage("Cloud Monitoring", r.address, "monitoring_conditions", dec(len(conditions)), "conditions of the policy"),
        Usage("Cloud Monitoring", r.address, "monitoring_series", series * ctx.hours * _EVALUATIONS_PER_HOUR,
              f"{series:g} time series per evaluation, about once a minute"),
    ]


def uptime_check(r: PlannedResource, ctx: Context) -> list[Usage]:
    try:
        period = quantities.seconds(r.get("period", default="60s"))
    except (ValueError, ArithmeticError):
        raise Unpriceable(f"cannot read the check period {r.get('period')!r}") from None
    regions = len(r.get("selected_regions", default=[]) or []) or _UPTIME_CHECKERS
    runs = dec(regions) * ctx.seconds / period
    return [Usage("Cloud Monitoring", r.address, "uptime_executions", runs, f"{regions} checker(s) every {period:g} s")]


# ---- Secret Manager --------------------------------------------------------------------------

def secret(r: PlannedResource, ctx: Context) -> list[Usage]:
    replicas = r.get("replication", 0, "user_managed", 0, "replicas", default=None)
    locations = Decimal(len(replicas)) if replicas else Decimal(1)
    secrets = len(ctx.of_type("google_secret_manager_secret"))
    return [
        Usage("Secret Manager", r.address, "secret_versions", dec(ctx.usage.secret_versions_per_secret) * locations,
              f"{ctx.usage.secret_versions_per_secret:g} active version(s) × {locations:g} location(s)"),
        Usage("Secret Manager", r.address, "secret_accesses", dec(ctx.usage.secret_accesses_per_month) / secrets,
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
    "google_monitoring_alert_policy": alert_policy,
    "google_monitoring_uptime_check_config": uptime_check,
}

# Why a priced type produced no line of its own (it is covered elsewhere).
COVERED_REASON = {
    "google_compute_global_forwarding_rule": "covered by the forwarding-rule minimum charge (first five rules)",
    "google_compute_backend_service": "backend services are free; CDN and egress are priced on the CDN backend",
}


def profile_checks(ctx: Context) -> list[str]:
    """Where the usage profile and the plan disagree: traffic the plan has nowhere to send, or
    that its services cannot carry. A packaged profile has none against its own phase."""
    u, names = ctx.usage, ctx.service_names()
    found = []
    sockets = u.websocket_connections and u.websocket_hours_per_month
    if sockets and not any(has_role(n, u.websocket_service) for n in names):
        found.append(f"websocket_service {u.websocket_service!r} is none of the Cloud Run services "
                     f"({', '.join(names)}): WebSockets not priced")
    for role in u.request_share:
        if not any(has_role(n, role) for n in names):
            found.append(f"request_share names {role!r}, which no Cloud Run service is")
    if u.cdn_cache_hit_ratio and ctx.cdn_backend() is None:
        found.append(f"cdn_cache_hit_ratio {u.cdn_cache_hit_ratio:g} is ignored: the plan has no CDN-enabled backend")
    if u.nat_gb_per_month and not ctx.of_type("google_compute_router_nat"):
        found.append(f"nat_gb_per_month {u.nat_gb_per_month:g} is not priced: the plan has no Cloud NAT gateway")
    for s in ctx.of_type("google_cloud_run_v2_service"):
        most = s.get("template", 0, "scaling", 0, "max_instance_count", default=None)
        concurrency = dec(s.get("template", 0, "max_instance_request_concurrency", default=80)) or Decimal(1)
        name = s.get("name", default=s.name)
        if most and has_role(name, u.websocket_service) and dec(u.websocket_connections) > dec(most) * concurrency:
            found.append(f"{name}: {u.websocket_connections:g} WebSockets exceed "
                         f"max_instance_count {most} × concurrency {concurrency}")
    return found


def project_usage(ctx: Context) -> list[Usage]:
    """Usage that belongs to the project rather than to one resource."""
    found = [Usage("Cloud Logging", "(project logs)", "log_storage", dec(ctx.usage.log_gb_per_month),
                   "usage log_gb_per_month; first 50 GiB per project free")]
    if ctx.usage.artifact_gb:
        found.append(Usage("Artifact Registry", "(container images)", "artifact_storage", dec(ctx.usage.artifact_gb),
                           "usage artifact_gb: the images the services run from"))
    return found
