"""Which changes replace a resource instead of updating it (the provider's ForceNew).

ForceNew is not part of a provider schema, so the cdktn bindings cannot tell it. This
table is curated for the resource types pvctl's modules use, from the provider source
(`google/services/<product>/resource_*.go` in hashicorp/terraform-provider-google) and
Google's documentation; anything it does not name falls back to one rule: a change of
the identity arguments `name`, `project`, `region`, `location` or `zone` replaces the
resource (for generated resources these are URL parts of the API, which the provider marks
immutable). The fallback errs toward showing a replacement, which is the safe error for
promotion plans guarded against replacing stateful resources.
Paths are dotted; a nested block's path names the block, e.g. "subnet.name".
"""

from __future__ import annotations

_IDENTITY = ("name", "project", "region", "location", "zone")

FORCE_NEW: dict[str, tuple[str, ...]] = {
    # resource_redis_instance.go: ForceNew on these; redis_version only when it decreases
    # (CustomizeDiff ForceNewIfChange), which is modelled in `_redis_version_decrease`.
    "google_redis_instance": (
        "name", "project", "region", "tier", "location_id", "alternative_location_id", "authorized_network",
        "connect_mode", "customer_managed_key", "reserved_ip_range", "transit_encryption_mode",
    ),
    # resource_vpc_access_connector.go: machine_type, min/max_instances are updated in place
    # (they are the update mask); throughput, network, range and subnet are ForceNew.
    "google_vpc_access_connector": (
        "name", "project", "region", "network", "ip_cidr_range", "min_throughput", "max_throughput",
        "subnet", "subnet.name", "subnet.project_id",
    ),
    # Cloud SQL: database_version is upgraded in place (Google's "Upgrade the database major
    # version in-place" Terraform sample changes it on the same resource); tier, edition and
    # availability are settings patched in place. Name, region, replica wiring and CMEK are not.
    "google_sql_database_instance": (
        "name", "project", "region", "master_instance_name", "encryption_key_name", "replica_configuration",
    ),
    "google_sql_database": ("name", "project", "instance"),
    "google_sql_user": ("name", "project", "instance", "host"),
    # Cloud Run v2: everything under `template` rolls out a new revision in place.
    "google_cloud_run_v2_service": ("name", "project", "location"),
    "google_cloud_run_v2_service_iam_member": ("name", "project", "location", "role", "member"),
    # Secret Manager: the replication policy is fixed at creation.
    "google_secret_manager_secret": ("secret_id", "project", "replication"),
    "google_secret_manager_secret_version": ("secret", "secret_data", "secret_data_wo_version", "is_secret_data_base64"),
    "google_secret_manager_secret_iam_member": ("secret_id", "project", "role", "member"),
    "google_service_account": ("account_id", "project"),
    "google_project_iam_member": ("project", "role", "member"),
    "google_project_service": ("project", "service"),
    "google_compute_network": ("name", "project", "auto_create_subnetworks"),
    "google_compute_subnetwork": ("name", "project", "region", "network"),
    "google_compute_global_address": ("name", "project", "address", "address_type", "purpose", "prefix_length", "network", "ip_version"),
    "google_service_networking_connection": ("network", "service"),
    "google_compute_managed_ssl_certificate": ("name", "project", "managed", "type"),
    "google_compute_global_forwarding_rule": (
        "name", "project", "ip_address", "ip_protocol", "port_range", "load_balancing_scheme", "network",
    ),
    "google_compute_region_network_endpoint_group": ("name", "project", "region", "network_endpoint_type", "cloud_run"),
}

# Types whose `name` is a mutable display name, so the identity fallback must not apply.
_RENAMABLE = {"google_project", "google_monitoring_alert_policy", "google_monitoring_notification_channel"}


def replacing_paths(type_name: str) -> tuple[str, ...]:
    if type_name in FORCE_NEW:
        return FORCE_NEW[type_name]
    if type_name in _RENAMABLE:
        return tuple(p for p in _IDENTITY if p != "name")
    return _IDENTITY


def _redis_version_decrease(prior: dict, planned: dict) -> bool:
    def version(v):
        try:
            major, minor = str(v).split("_")[1:3]
            return (int(major), int(minor) if minor.isdigit() else 0)
        except (ValueError, IndexError):
            return None

    old, new = version(prior.get("redis_version")), version(planned.get("redis_version"))
    return old is not None and new is not None and new < old


def requires_replace(type_name: str, prior: dict, planned: dict) -> list[list[str]]:
    """Attribute paths (as name lists) whose change forces a replacement."""
    from pvctl.offline.cty import UNKNOWN

    out = []
    for path in replacing_paths(type_name):
        steps = path.split(".")
        old, new = _dig(prior, steps), _dig(planned, steps)
        # Like the SDK: an immutable value that will only be known after apply (its source
        # is being replaced) forces a replacement too, unless it was never set.
        if old == new or (new is UNKNOWN and old is None):
            continue
        out.append(steps)
    if type_name == "google_redis_instance" and _redis_version_decrease(prior, planned):
        out.append(["redis_version"])
    return out


def _dig(value, steps):
    # Single-item blocks are lists of one object; look inside the first element.
    for step in steps:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value
