"""What a project looks like after each phase's apply, loaded into the fakes."""

from __future__ import annotations

from tests.gcp.fakes.compute_fake import FakeCompute
from tests.gcp.fakes.run_fake import FakeCloudRun
from tests.gcp.fakes.secrets_fake import FakeSecretManager
from tests.gcp.fakes.sqladmin_fake import FakeSqlAdmin

PROJECT = "pv-test-project"
REGION = "southamerica-east1"
PREFIX = "pv"
DOMAIN = "app.example.com.br"
LB_IP = "34.120.10.20"
API_IMAGE = "southamerica-east1-docker.pkg.dev/pv-test-project/app/api:1.0.0"
BFF_IMAGE = "southamerica-east1-docker.pkg.dev/pv-test-project/app/bff:1.0.0"
PRIMARY_IP, REPLICA_IP = "10.20.0.3", "10.40.0.7"
DR_REGION = "us-east1"
SECRET_NAMES = ["db-admin-password", "session-signing-key", "oauth-client-secret", "whatsapp-token", "crm-api-token"]


def load_balancer(compute: FakeCompute, backends: list[str], certificate: str = "ACTIVE",
                  domain_status: str | None = None) -> None:
    compute.put("addresses", {"name": f"{PREFIX}-lb-ip", "address": LB_IP, "status": "IN_USE", "addressType": "EXTERNAL"})
    compute.put("forwardingRules", {"name": f"{PREFIX}-https", "IPAddress": LB_IP, "portRange": "443-443", "IPProtocol": "TCP",
                                    "loadBalancingScheme": "EXTERNAL_MANAGED",
                                    "target": compute.link("targetHttpsProxies", f"{PREFIX}-https-proxy")})
    compute.put("forwardingRules", {"name": f"{PREFIX}-http-redirect", "IPAddress": LB_IP, "portRange": "80-80",
                                    "target": compute.link("targetHttpProxies", f"{PREFIX}-http-redirect")})
    # Another team's load balancer in the same project: status must leave it out.
    compute.put("forwardingRules", {"name": "legacy-site", "IPAddress": "34.1.1.1", "portRange": "443-443",
                                    "target": compute.link("targetHttpsProxies", "legacy-proxy")})
    compute.put("targetHttpsProxies", {"name": f"{PREFIX}-https-proxy", "urlMap": compute.link("urlMaps", f"{PREFIX}-urlmap"),
                                       "sslCertificates": [compute.link("sslCertificates", f"{PREFIX}-cert-7f3a")]})
    compute.put("sslCertificates", {"name": f"{PREFIX}-cert-7f3a", "type": "MANAGED", "managed": {
        "domains": [DOMAIN], "status": certificate, "domainStatus": {DOMAIN: domain_status or certificate}}})
    compute.put("securityPolicies", {"name": f"{PREFIX}-armor", "type": "CLOUD_ARMOR",
                                     "rules": [{"priority": p} for p in (1000, 2000, 3000, 2147483647)],
                                     "adaptiveProtectionConfig": {"layer7DdosDefenseConfig": {"enable": True}}})
    for name in backends:
        compute.put("backendServices", {"name": f"{PREFIX}-{name}-backend", "enableCDN": name != "webhooks",
                                        "securityPolicy": compute.link("securityPolicies", f"{PREFIX}-armor")})


def mvp(run: FakeCloudRun, compute: FakeCompute, **cert) -> None:
    run.put_service(PROJECT, REGION, f"{PREFIX}-api", API_IMAGE, 0, 3, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")
    load_balancer(compute, ["api"], **cert)


def growth(run: FakeCloudRun, compute: FakeCompute, **cert) -> None:
    """Still one service (the whole site), with more room to scale than mvp."""
    run.put_service(PROJECT, REGION, f"{PREFIX}-api", API_IMAGE, 0, 10, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")
    load_balancer(compute, ["api"], **cert)


def scale(run: FakeCloudRun, compute: FakeCompute, **cert) -> None:
    run.put_service(PROJECT, REGION, f"{PREFIX}-api", API_IMAGE, 1, 5, "INGRESS_TRAFFIC_INTERNAL_ONLY")
    run.put_service(PROJECT, REGION, f"{PREFIX}-bff", BFF_IMAGE, 1, 4, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")
    run.put_service(PROJECT, REGION, f"{PREFIX}-webhooks", API_IMAGE, 0, 5, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")
    load_balancer(compute, ["bff", "webhooks"], **cert)


def secret_containers(secrets: FakeSecretManager) -> None:
    for name in SECRET_NAMES:
        secrets.create_secret(PROJECT, f"{PREFIX}-{name}")


def database(run: FakeCloudRun, sql: FakeSqlAdmin, replica: bool = True) -> None:
    """The scale database: primary with daily backups, a replica in a second region, services reading DB_HOST."""
    from google.cloud import run_v2

    sql.put_instance(f"{PREFIX}-pg", REGION, PRIMARY_IP)
    if replica:
        sql.put_instance(f"{PREFIX}-pg-dr", DR_REGION, REPLICA_IP, master=f"{PREFIX}-pg")
    for day, backup_id in ((18, 1763424000000), (19, 1763510400000), (20, 1763596800000)):
        sql.put_backup(f"{PREFIX}-pg", backup_id, f"2026-11-{day}T03:12:00.000Z")
    sql.put_backup(f"{PREFIX}-pg", 1763600000000, "2026-11-20T09:00:00.000Z", status="FAILED")
    for path, service in run.services.items():
        if not path.endswith("-bff"):  # the BFF reaches the database only through the API
            service.template.containers[0].env.extend([run_v2.EnvVar(name="DB_HOST", value=PRIMARY_IP),
                                                       run_v2.EnvVar(name="DB_NAME", value="app")])
