"""Deterministic, plausible values for what only Google would know after apply.

Sandbox apply writes these into the local sandbox state so later plans and outputs have
something realistic to show: ids in the provider's id formats, self links, Cloud Run URLs,
connection names, service-account e-mails, IPs from the documentation ranges (RFC 5737).
Anything not modelled here is left null and reported (one warning per resource naming
the attributes), never invented silently.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pvctl.offline.cty import UNKNOWN
from pvctl.offline.schema import Block

if TYPE_CHECKING:
    from pvctl.offline.planning import ProviderDefaults

SANDBOX_PROJECT = "pvctl-sandbox"
SANDBOX_TIME = "2025-01-01T00:00:00Z"
SANDBOX_PLACEHOLDER = "pvctl-offline-placeholder"

# Legacy Cloud Run hostnames carry a short region code (https://<svc>-<hash>-<code>.a.run.app).
_RUN_REGION_CODES = {
    "southamerica-east1": "rj", "us-central1": "uc", "us-east1": "ue", "us-east4": "uk", "us-west1": "uw",
    "europe-west1": "ew", "europe-west3": "ey", "asia-northeast1": "an",
}
_COMPUTE_COLLECTION = {
    "google_compute_network": ("global", "networks"),
    "google_compute_subnetwork": ("regions", "subnetworks"),
    "google_compute_global_address": ("global", "addresses"),
    "google_compute_firewall": ("global", "firewalls"),
    "google_compute_router": ("regions", "routers"),
    "google_compute_backend_service": ("global", "backendServices"),
    "google_compute_url_map": ("global", "urlMaps"),
    "google_compute_target_http_proxy": ("global", "targetHttpProxies"),
    "google_compute_target_https_proxy": ("global", "targetHttpsProxies"),
    "google_compute_global_forwarding_rule": ("global", "forwardingRules"),
    "google_compute_managed_ssl_certificate": ("global", "sslCertificates"),
    "google_compute_ssl_policy": ("global", "sslPolicies"),
    "google_compute_security_policy": ("global", "securityPolicies"),
    "google_compute_region_network_endpoint_group": ("regions", "networkEndpointGroups"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def digest(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def project_number(project: str) -> str:
    return str(100000000000 + int(digest("project-number", project)[:12], 16) % 900000000000)


def doc_ip(*parts: Any, prefix: str = "192.0.2") -> str:
    return f"{prefix}.{int(digest('ip', *parts)[:4], 16) % 254 + 1}"


@dataclass
class Context:
    type_name: str
    value: dict
    project: str
    unmodelled: list[str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        v = self.value.get(name)
        return v if isinstance(v, str) else default

    @property
    def name(self) -> str:
        # A computed `name` filled earlier is a full resource path; ids want its last segment.
        return (self.get("name").rsplit("/", 1)[-1] or self.get("account_id") or self.get("secret_id")
                or digest(self.type_name, self.project)[:8])

    @property
    def display_slug(self) -> str:
        # Monitoring objects are named by the API; their configuration only has a display name.
        return _slug(self.get("display_name")) or digest(self.type_name, self.project)[:8]

    @property
    def where(self) -> str:
        return self.get("region") or self.get("location") or "global"


def _resource_id(ctx: Context) -> str:
    t, p, n = ctx.type_name, ctx.project, ctx.name
    if t in _COMPUTE_COLLECTION:
        scope, collection = _COMPUTE_COLLECTION[t]
        middle = "global" if scope == "global" else f"regions/{ctx.where}"
        return f"projects/{p}/{middle}/{collection}/{n}"
    ids = {
        "google_sql_database_instance": n,
        "google_sql_database": f"projects/{p}/instances/{ctx.get('instance')}/databases/{n}",
        "google_sql_user": f"{n}/{ctx.get('host')}/{ctx.get('instance')}",
        "google_cloud_run_v2_service": f"projects/{p}/locations/{ctx.where}/services/{n}",
        "google_redis_instance": f"projects/{p}/locations/{ctx.where}/instances/{n}",
        "google_vpc_access_connector": f"projects/{p}/locations/{ctx.where}/connectors/{n}",
        "google_secret_manager_secret": f"projects/{p}/secrets/{n}",
        "google_secret_manager_secret_version": f"{ctx.get('secret')}/versions/1",
        "google_service_account": f"projects/{p}/serviceAccounts/{_sa_email(ctx)}",
        "google_project_service": f"{p}/{ctx.get('service')}",
        "google_service_networking_connection": f"{ctx.get('network')}:{ctx.get('service')}",
        "google_monitoring_uptime_check_config": f"projects/{p}/uptimeCheckConfigs/{_uptime_check_id(ctx)}",
        "google_monitoring_alert_policy": f"projects/{p}/alertPolicies/{_numeric_id(ctx)}",
        "google_monitoring_notification_channel": f"projects/{p}/notificationChannels/{_numeric_id(ctx)}",
    }
    if t in ids:
        return ids[t]
    if t.endswith("_iam_member"):
        parent = ctx.get("name") or ctx.get("secret_id") or ctx.get("project") or p
        return f"{parent}/{ctx.get('role')}/{ctx.get('member')}"
    return f"projects/{p}/locations/{ctx.where}/{t.removeprefix('google_')}/{n}"


def _uptime_check_id(ctx: Context) -> str:
    # The API derives the id from the display name plus a random suffix.
    return f"{ctx.display_slug}-{digest('uptime', ctx.project, ctx.display_slug)[:8]}"


def _numeric_id(ctx: Context) -> str:
    return str(int(digest("monitoring", ctx.type_name, ctx.project, ctx.display_slug)[:15], 16))


def _redis_server_ca_certs(ctx: Context) -> list[dict]:
    # Shaped like the API's answer; the PEM body says what it is, so nobody mistakes it for a real CA.
    return [{
        "cert": "-----BEGIN CERTIFICATE-----\npvctl offline sandbox: no real certificate\n-----END CERTIFICATE-----\n",
        "create_time": SANDBOX_TIME,
        "expire_time": "2035-01-01T00:00:00Z",
        "serial_number": str(int(digest("redis-ca", ctx.project, ctx.name)[:12], 16)),
        "sha1_fingerprint": digest("redis-ca-fp", ctx.project, ctx.name)[:40],
    }]


def _sa_email(ctx: Context) -> str:
    return f"{ctx.get('account_id') or ctx.name}@{ctx.project}.iam.gserviceaccount.com"


def _run_uri(ctx: Context) -> str:
    code = _RUN_REGION_CODES.get(ctx.where)
    if code:
        return f"https://{ctx.name}-{digest('run', ctx.project, ctx.name)[:10]}-{code}.a.run.app"
    return f"https://{ctx.name}-{project_number(ctx.project)}.{ctx.where}.run.app"


def _string_value(ctx: Context, attr: str, path: str) -> str | None:
    t = ctx.type_name
    if attr == "id":
        return _resource_id(ctx)
    if attr == "project":
        return ctx.project
    if attr == "self_link":
        if t == "google_sql_database_instance":
            return f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{ctx.project}/instances/{ctx.name}"
        return f"https://www.googleapis.com/compute/v1/{_resource_id(ctx)}"
    if attr == "uri" and t == "google_cloud_run_v2_service":
        return _run_uri(ctx)
    if attr == "connection_name":
        return f"{ctx.project}:{ctx.where}:{ctx.name}"
    if attr == "email" and t == "google_service_account":
        return _sa_email(ctx)
    if attr == "member" and t == "google_service_account":
        return f"serviceAccount:{_sa_email(ctx)}"
    if attr in ("number", "project_number"):
        return project_number(ctx.project)
    if attr == "unique_id":  # numeric, like project numbers
        return project_number(f"{ctx.project}/{t}/{ctx.name}")
    if attr == "name" and path == "name":
        return _resource_id(ctx)
    if attr == "uid":
        h = digest("uid", t, ctx.project, ctx.name)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    if attr == "etag":
        return "BwY" + digest("etag", t, ctx.name)[:10]
    if attr.endswith("_time") or attr == "creation_timestamp":
        return SANDBOX_TIME
    if attr in ("private_ip_address", "host", "address", "ip_address", "first_ip_address", "ip_cidr_range_address"):
        return doc_ip(t, ctx.name, attr)
    if attr == "public_ip_address":
        return doc_ip(t, ctx.name, attr, prefix="203.0.113")
    if attr in ("version",) and t == "google_secret_manager_secret_version":
        return "1"
    if attr == "state":
        return "READY" if t in ("google_vpc_access_connector", "google_redis_instance") else "ACTIVE"
    if attr in ("secret_data", "access_token", "id_token", "jwt"):
        return SANDBOX_PLACEHOLDER
    if attr == "auth_string":
        return f"{SANDBOX_PLACEHOLDER}-{digest('auth', ctx.project, ctx.name)[:16]}"
    if attr == "uptime_check_id":
        return _uptime_check_id(ctx)
    if attr in ("region", "location") and ctx.where != "global":
        return ctx.where
    return None


def _scalar(ctx: Context, ty: Any, attr: str, path: str) -> Any:
    if ty == "string":
        return _string_value(ctx, attr, path)
    if ty == "number" and attr == "port" and ctx.type_name == "google_redis_instance":
        return 6379
    if ty == ["list", "string"] and attr == "urls" and ctx.type_name == "google_cloud_run_v2_service":
        return [_run_uri(ctx)]
    if isinstance(ty, list) and ty[0] == "map" and attr in ("effective_labels", "terraform_labels", "effective_annotations"):
        return {}
    if attr == "server_ca_certs" and ctx.type_name == "google_redis_instance":
        return _redis_server_ca_certs(ctx)
    return None


def fill_unknowns(type_name: str, block: Block, value: dict, provider_project: str | None) -> tuple[dict, list[str]]:
    """Replace every unknown in `value` by a plausible value or null; returns the null-filled paths."""
    given = value.get("project")
    project = given if isinstance(given, str) else (provider_project or SANDBOX_PROJECT)
    ctx = Context(type_name, value, project)
    # Identity-like attributes first: others (self_link, uri) are built from them.
    for first in ("project", "region", "location", "name", "id"):
        attr = block.attributes.get(first)
        if attr and value.get(first) is UNKNOWN:
            value[first] = _scalar(ctx, attr.type, first, first)
    filled = _fill_block(ctx, block, value, "")
    return filled, ctx.unmodelled


def _fill_block(ctx: Context, block: Block, value: Any, prefix: str) -> Any:
    if value is None:
        return None
    if value is UNKNOWN:
        ctx.unmodelled.append(prefix.rstrip(".") or "(whole object)")
        return None
    out = dict(value)
    for name, attr in block.attributes.items():
        path = prefix + name
        if out.get(name) is UNKNOWN:
            out[name] = _scalar(ctx, attr.type, name, path)
            if out[name] is None:
                ctx.unmodelled.append(path)
        else:
            out[name] = _fill_nested_unknowns(ctx, out.get(name), path)
    for name, nested in block.block_types.items():
        v = out.get(name)
        if nested.nesting in ("single", "group"):
            out[name] = _fill_block(ctx, nested.block, v, f"{prefix}{name}.")
        elif isinstance(v, list):
            out[name] = [_fill_block(ctx, nested.block, item, f"{prefix}{name}.") for item in v]
        elif isinstance(v, dict):
            out[name] = {k: _fill_block(ctx, nested.block, item, f"{prefix}{name}.") for k, item in v.items()}
    return out


def _fill_nested_unknowns(ctx: Context, value: Any, path: str) -> Any:
    # Unknowns inside a known collection (e.g. a list built from other resources' outputs).
    if value is UNKNOWN:
        ctx.unmodelled.append(path)
        return None
    if isinstance(value, list):
        return [_fill_nested_unknowns(ctx, v, path) for v in value]
    if isinstance(value, dict):
        return {k: _fill_nested_unknowns(ctx, v, path) for k, v in value.items()}
    return value


def read_data_source(type_name: str, block: Block, config: dict, defaults: ProviderDefaults) -> tuple[dict, list[str]]:
    """A data source's result: the configuration with every unset computed attribute filled.

    `defaults` is the provider configuration.
    """
    value = dict(config)
    for name, attr in block.attributes.items():
        if attr.computed and value.get(name) is None:
            value[name] = UNKNOWN
    project = defaults.project or SANDBOX_PROJECT
    if type_name == "google_project":
        if value.get("project_id") in (None, UNKNOWN):
            value["project_id"] = project
        value["name"] = value["project_id"]
        value["id"] = f"projects/{value['project_id']}"
        value["number"] = project_number(value["project_id"])
    if type_name == "google_client_config":
        value.update(
            id=f"projects/{project}/regions/{defaults.region}/zones/{defaults.zone}",
            project=project, region=defaults.region, zone=defaults.zone,
            default_labels=dict(defaults.default_labels), access_token=SANDBOX_PLACEHOLDER,
        )
    return fill_unknowns(type_name, block, value, project)
