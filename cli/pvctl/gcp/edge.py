"""Live load balancer state: address, HTTPS certificate progress, Cloud Armor attachment.

Resources are found by name prefix (`<prefix>-`) and followed through their links
(forwarding rule -> target HTTPS proxy -> certificates), so a renamed certificate
(managed certificates are replaced, not edited, when domains change) is still found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pvctl.gcp.calls import CallPolicy, api_call
from pvctl.gcp.services import short

_DOMAIN_REASONS = {
    "PROVISIONING": "Google is validating {domain}; this usually takes 15-60 minutes once DNS points at {ip}",
    "FAILED_NOT_VISIBLE": "DNS for {domain} does not point at the load balancer ({ip}) yet; create an A record "
                          "{domain} -> {ip} — Google keeps retrying and issues the certificate once it resolves",
    "FAILED_CAA_CHECKING": "the CAA lookup for {domain} failed; make its DNS servers answer CAA queries",
    "FAILED_CAA_FORBIDDEN": "CAA records of {domain} forbid Google's certificate authorities; add one allowing pki.goog",
    "FAILED_RATE_LIMITED": "the certificate authority rate-limited {domain}; wait a few hours and check again",
}
_CERT_REASONS = {
    "PROVISIONING_FAILED_PERMANENTLY": "provisioning failed for good: fix DNS, then replace the certificate (pvctl apply)",
    "RENEWAL_FAILED": "renewal failed: check that DNS still points at the load balancer",
}


@dataclass(frozen=True)
class Certificate:
    name: str
    status: str                      # PROVISIONING, ACTIVE, PROVISIONING_FAILED, ... or SELF_MANAGED
    domains: dict[str, str]          # domain -> its own status
    reasons: list[str]               # why it is not ACTIVE yet, in words
    expires: str = ""


@dataclass(frozen=True)
class Frontend:
    name: str
    ip: str
    port_range: str
    target: str                      # short name of the target proxy
    https: bool


@dataclass(frozen=True)
class Backend:
    name: str
    security_policy: str             # Cloud Armor policy short name, "" when none
    edge_security_policy: str
    cdn: bool


@dataclass(frozen=True)
class ArmorPolicy:
    name: str
    type: str
    rules: int
    adaptive_protection: bool


@dataclass
class EdgeStatus:
    addresses: dict[str, str] = field(default_factory=dict)     # name -> "IP (status)"
    frontends: list[Frontend] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    policies: list[ArmorPolicy] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _mine(items: Any, prefix: str) -> list[Any]:
    return [item for item in items if item.name.startswith(prefix + "-")]


def edge_status(clients: Any, project: str, prefix: str, policy: CallPolicy) -> EdgeStatus:
    status = EdgeStatus()
    with api_call("global addresses", policy) as kw:
        for address in _mine(clients.compute("GlobalAddressesClient").list(project=project, **kw), prefix):
            status.addresses[address.name] = f"{address.address} ({address.status})"
    with api_call("global forwarding rules", policy) as kw:
        rules = _mine(clients.compute("GlobalForwardingRulesClient").list(project=project, **kw), prefix)
    ip_by_proxy: dict[str, str] = {}
    for rule in sorted(rules, key=lambda r: r.name):
        https = "/targetHttpsProxies/" in rule.target
        status.frontends.append(Frontend(rule.name, rule.I_p_address, rule.port_range, short(rule.target), https))
        if https:
            ip_by_proxy[short(rule.target)] = rule.I_p_address
    for proxy_name, ip in sorted(ip_by_proxy.items()):
        with api_call(f"target HTTPS proxy {proxy_name}", policy) as kw:
            proxy = clients.compute("TargetHttpsProxiesClient").get(project=project, target_https_proxy=proxy_name, **kw)
        if proxy.certificate_map:
            status.notes.append(f"{proxy_name} uses Certificate Manager map {short(proxy.certificate_map)} (not inspected)")
        for cert_url in proxy.ssl_certificates:
            with api_call(f"SSL certificate {short(cert_url)}", policy) as kw:
                cert = clients.compute("SslCertificatesClient").get(project=project, ssl_certificate=short(cert_url), **kw)
            status.certificates.append(certificate(cert, ip))
    with api_call("backend services", policy) as kw:
        backends = _mine(clients.compute("BackendServicesClient").list(project=project, **kw), prefix)
    for backend in sorted(backends, key=lambda b: b.name):
        status.backends.append(Backend(backend.name, short(backend.security_policy) if backend.security_policy else "",
                                       short(backend.edge_security_policy) if backend.edge_security_policy else "",
                                       bool(backend.enable_c_d_n)))
    for name in sorted({b.security_policy for b in status.backends if b.security_policy}
                       | {b.edge_security_policy for b in status.backends if b.edge_security_policy}):
        with api_call(f"Cloud Armor policy {name}", policy) as kw:
            armor = clients.compute("SecurityPoliciesClient").get(project=project, security_policy=name, **kw)
        adaptive = armor.adaptive_protection_config.layer7_ddos_defense_config.enable
        status.policies.append(ArmorPolicy(armor.name, armor.type_, len(armor.rules), bool(adaptive)))
    if status.backends and not any(b.security_policy for b in status.backends):
        status.notes.append("no backend service has a Cloud Armor policy attached")
    return status


def certificate(cert: Any, ip: str) -> Certificate:
    if cert.type_ != "MANAGED":
        return Certificate(cert.name, "SELF_MANAGED", {}, [], cert.expire_time)
    managed = cert.managed
    domains = dict(managed.domain_status)
    reasons = []
    if managed.status != "ACTIVE":
        for domain, state in sorted(domains.items()):
            if state != "ACTIVE":
                template = _DOMAIN_REASONS.get(state, "{domain}: " + state)
                reasons.append(template.format(domain=domain, ip=ip or "its address"))
        if managed.status in _CERT_REASONS:
            reasons.append(_CERT_REASONS[managed.status])
    return Certificate(cert.name, managed.status, domains, reasons, cert.expire_time)
