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


def _plan(services) -> dict:
    resources = [{"address": f"module.{name}.google_cloud_run_v2_service.this", "mode": "managed",
                  "type": "google_cloud_run_v2_service", "name": "this",
                  "values": {"name": name, "ingress": ingress, "template": [{
                      "containers": [{"image": image}], "scaling": [{"min_instance_count": lo, "max_instance_count": hi}]}]}}
                 for name, image, lo, hi, ingress in services]
    return {"format_version": "1.2", "complete": True, "planned_values": {"root_module": {"child_modules": [{"resources": resources}]}}}


def _saved_plan_json(repo, phase, services):
    """What `pvctl plan` leaves behind: a saved plan that may never be applied."""
    path = repo / ".pvctl" / phase / "plan.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plan(services)), encoding="utf-8")
    return path


def _applied(repo, phase, services, project=scenarios.PROJECT, destroy=False):
    """What a successful live `pvctl apply` records (PhaseRun.apply)."""
    from pvctl.core.repo import RepoPaths
    from pvctl.engine.saved_plan import AppliedRecord, write_applied

    plan_file = str(repo / ".pvctl" / phase / "plan.tfplan")
    return write_applied(RepoPaths(repo), AppliedRecord(phase, project, "2026-11-29T10:00:00+00:00", plan_file, destroy,
                                                        _plan(services)))


MVP_API = ("pv-api", scenarios.API_IMAGE, 0, 3, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")  # as scenarios.mvp runs it


def test_drift_from_the_last_applied_plan_is_reported(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [("pv-api", "registry/api:0.9.0", 0, 5, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")])
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert "Drift from the last live apply (2026-11-29T10:00:00+00:00, plan " in result.out
    assert f"pv-api: image is {scenarios.API_IMAGE}, the last applied plan has registry/api:0.9.0" in result.out
    assert "pv-api: max instances is 3, the last applied plan has 5" in result.out
    assert "min instances" not in result.out and "ingress is" not in result.out
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    assert doc["drift_checked"] is True and doc["drift_note"] == "" and len(doc["drift"]) == 2
    assert doc["applied_record"].endswith(".pvctl/mvp/applied.json") and doc["plan_file"].endswith(".pvctl/mvp/plan.tfplan")
    assert doc["applied_at"] == "2026-11-29T10:00:00+00:00"


def test_drift_ignores_a_newer_saved_plan_that_was_not_applied(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [MVP_API])  # live matches what was applied...
    # ...and a later `pvctl plan` (or `pvctl cost`, offline) saved something else, never applied.
    _saved_plan_json(repo, "mvp", [("pv-api", "registry/api:2.0.0", 1, 9, "INGRESS_TRAFFIC_ALL"),
                                   ("pv-bff", "registry/bff:2.0.0", 1, 4, "INGRESS_TRAFFIC_ALL")])
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert "none: image, instances and ingress match" in result.out
    assert "2.0.0" not in result.out and "the last applied plan has" not in result.out
    assert json.loads(pvctl("status", "--phase", "mvp", "--json").out)["drift"] == []


def test_no_drift_when_live_matches_the_applied_plan(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [MVP_API])
    assert "none: image, instances and ingress match" in pvctl("status", "--phase", "mvp").out


def test_without_an_applied_record_drift_is_not_checked(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    # A saved plan that differs from live: without a record of its apply it says nothing about drift.
    _saved_plan_json(repo, "mvp", [("pv-api", "registry/api:0.9.0", 0, 5, "INGRESS_TRAFFIC_ALL")])
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert result.out.count("no live apply recorded on this machine: drift not checked") == 1
    assert "0.9.0" not in result.out and "Drift from" not in result.out
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    assert doc["drift_checked"] is False and doc["drift"] == []
    assert doc["drift_note"] == "no live apply recorded on this machine: drift not checked"
    assert doc["applied_record"] == "" and doc["plan_file"] == "" and doc["complete"] is True


def test_a_record_for_another_project_is_ignored(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [("pv-api", "registry/api:0.9.0", 0, 5, "INGRESS_TRAFFIC_ALL")], project="pv-old-project")
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 0
    assert (f"the last live apply recorded on this machine (2026-11-29T10:00:00+00:00) was phase mvp of project pv-old-project, "
            f"not phase mvp of {scenarios.PROJECT}: ignored, drift not checked") in result.out
    assert "0.9.0" not in result.out and "Drift from" not in result.out
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    assert doc["drift_checked"] is False and doc["drift"] == [] and "pv-old-project" in doc["drift_note"]


def test_services_running_after_a_live_destroy_are_drift(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [], destroy=True)
    doc = json.loads(pvctl("status", "--phase", "mvp", "--json").out)
    assert doc["drift_checked"] is True and doc["drift"] == ["pv-api: running, but the last live apply destroyed phase mvp"]


def test_an_unreadable_record_is_a_failure_not_a_comparison(fakes, pvctl, repo):
    scenarios.mvp(fakes.run, fakes.compute)
    _applied(repo, "mvp", [MVP_API]).write_text("{not json", encoding="utf-8")
    result = pvctl("status", "--phase", "mvp", "--json")
    doc = json.loads(result.out)
    assert result.code == 1 and doc["drift_checked"] is False
    assert "unreadable record of the last live apply" in doc["failures"][0] and len(doc["services"]) == 1


def test_growth_status_is_one_service_with_room_to_scale(fakes, pvctl, repo):
    scenarios.growth(fakes.run, fakes.compute)
    _applied(repo, "growth", [("pv-api", scenarios.API_IMAGE, 0, 10, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")])
    result = pvctl("status", "--phase", "growth")
    assert result.code == 0, result.err
    assert "phase growth — project pv-test-project" in result.out
    assert "ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER, instances 0-10" in result.out
    assert "pv-bff" not in result.out and "pv-webhooks" not in result.out
    assert "backend pv-api-backend: Cloud Armor pv-armor, CDN on" in result.out
    assert "none: image, instances and ingress match" in result.out


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
