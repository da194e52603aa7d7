"""`pvctl status` against the fakes: each phase's shape, certificate progress, drift, partial results."""

from __future__ import annotations

import json

from tests.gcp.fakes import scenarios


def test_mvp_status_shows_the_single_service_and_its_load_balancer(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0, result.err
    out = result.out
    assert "pv-api: ready  https://pv-api-x7f3kq-rj.a.run.app" in out
    assert "ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER, instances 0-3" in out
    assert "traffic: 100% latest (pv-api-00001-abc)" in out
    assert "pv-bff" not in out and "pv-webhooks" not in out
    assert "address pv-lb-ip: 34.120.10.20 (IN_USE)" in out
    assert "certificate pv-cert-7f3a: ACTIVE" in out
    assert "backend pv-api-backend: Cloud Armor pv-armor, CDN on" in out
    assert "legacy-site" not in out  # another load balancer in the project, not ours


def test_scale_status_json_has_three_services_and_armor_on_every_backend(fakes, pvctl):
    scenarios.scale(fakes.run, fakes.compute)
    result = pvctl("status", "--phase", "scale", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    services = {s["name"]: s for s in doc["services"]}
    assert list(services) == ["pv-api", "pv-bff", "pv-webhooks"]
    assert services["pv-api"]["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert (services["pv-bff"]["min_instances"], services["pv-bff"]["max_instances"]) == (1, 4)
    assert services["pv-bff"]["traffic"] == [{"percent": 100, "revision": "pv-bff-00001-abc", "latest": True, "tag": ""}]
    assert services["pv-api"]["last_deploy"].startswith("2026-11-20T12:")
    edge = doc["edge"]
    assert {b["name"]: b["security_policy"] for b in edge["backends"]} == {"pv-bff-backend": "pv-armor", "pv-webhooks-backend": "pv-armor"}
    assert edge["policies"] == [{"name": "pv-armor", "type": "CLOUD_ARMOR", "rules": 4, "adaptive_protection": True}]
    assert [f["name"] for f in edge["frontends"]] == ["pv-http-redirect", "pv-https"]
    assert doc["complete"] is True and doc["failures"] == []


def test_provisioning_certificate_says_why_https_is_not_up(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute, certificate="PROVISIONING", domain_status="FAILED_NOT_VISIBLE")
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert f"certificate pv-cert-7f3a: PROVISIONING ({scenarios.DOMAIN} FAILED_NOT_VISIBLE)" in result.out
    assert f"create an A record {scenarios.DOMAIN} -> {scenarios.LB_IP}" in result.out
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    cert = doc["edge"]["certificates"][0]
    assert cert["status"] == "PROVISIONING" and cert["domains"] == {scenarios.DOMAIN: "FAILED_NOT_VISIBLE"}
    assert "does not point at the load balancer" in cert["reasons"][0]


def test_permanently_failed_certificate_says_to_replace_it(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute, certificate="PROVISIONING_FAILED_PERMANENTLY", domain_status="FAILED_CAA_FORBIDDEN")
    out = pvctl("status", "--phase", "mvp").out
    assert "forbid Google's certificate authorities" in out
    assert "replace the certificate" in out


def test_service_not_deployed_yet(fakes, pvctl):
    scenarios.load_balancer(fakes.compute, ["api"])
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert "pv-api: not deployed" in result.out


def _plan_json(repo, phase, services):
    resources = [{"address": f"module.{name}.google_cloud_run_v2_service.this", "mode": "managed",
                  "type": "google_cloud_run_v2_service", "name": "this",
                  "values": {"name": name, "ingress": ingress, "template": [{
                      "containers": [{"image": image}], "scaling": [{"min_instance_count": lo, "max_instance_count": hi}]}]}}
                 for name, image, lo, hi, ingress in services]
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"resources": resources}]}}}
    path = repo / ".pvctl" / phase / "plan.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_drift_from_the_last_plan_is_reported(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _plan_json(repo, "mvp", [("pv-api", "registry/api:0.9.0", 0, 5, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")])
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert f"pv-api: image is {scenarios.API_IMAGE}, the last plan has registry/api:0.9.0" in result.out
    assert "pv-api: max instances is 3, the last plan has 5" in result.out
    assert "min instances" not in result.out and "ingress is" not in result.out
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    assert doc["plan_file"].endswith(".pvctl/mvp/plan.json") and len(doc["drift"]) == 2


def test_no_drift_when_live_matches_the_plan(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _plan_json(repo, "mvp", [("pv-api", scenarios.API_IMAGE, 0, 3, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")])
    assert "none: image, instances and ingress match" in pvctl("status", "--phase", "mvp").out


def test_compute_denied_still_shows_services_and_names_the_permission(fakes, pvctl):
    scenarios.scale(fakes.run, fakes.compute)
    fakes.compute.denied["forwardingRules"] = "compute.globalForwardingRules.list"
    result = pvctl("status", "--phase", "scale")
    assert result.code == 1
    assert "pv-bff: ready" in result.out and "pv-webhooks: ready" in result.out
    assert "Not shown (failed)" in result.out
    assert "permission 'compute.globalForwardingRules.list' denied" in result.out
    doc = json.loads(pvctl("status", "--phase", "scale", "--json").out)
    assert doc["complete"] is False and doc["edge"] is None and len(doc["services"]) == 3


def test_one_service_failing_does_not_hide_the_others(fakes, pvctl):
    scenarios.scale(fakes.run, fakes.compute)
    fakes.run.faults.denied["GetService"] = "run.services.get"
    result = pvctl("status", "--phase", "scale", "--json")
    doc = json.loads(result.out)
    assert result.code == 1
    assert doc["services"] == [] and len(doc["failures"]) == 3
    assert all("permission 'run.services.get' denied" in f for f in doc["failures"])
    assert doc["edge"]["certificates"][0]["status"] == "ACTIVE"  # Compute still answered


def test_transient_compute_errors_are_retried(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.compute.errors["forwardingRules"] = [503, 429]
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0, result.out
    assert fakes.compute.calls["forwardingRules"] == 3
    assert "https pv-https: 34.120.10.20:443-443 -> pv-https-proxy" in result.out
