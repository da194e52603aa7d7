"""`pvctl deploy`: new revisions through UpdateService operations, canary, promote, rollback."""

from __future__ import annotations

import json

from tests.gcp.fakes import scenarios

NEW_IMAGE = "southamerica-east1-docker.pkg.dev/pv-test-project/app/api:1.1.0"
FIRST = "pv-api-00001-abc"


def _deploy(pvctl, *args):
    result = pvctl("deploy", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_canary_then_promote(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    canary = _deploy(pvctl, "--service", "app", "--image", NEW_IMAGE, "--canary", "10")
    new = canary["revision"]
    assert new.startswith("pv-api-") and canary["action"] == "canary" and canary["service"] == "pv-api"
    assert fakes.run.traffic_received() == [[("REVISION", new, 10), ("REVISION", FIRST, 90)]]
    assert fakes.run.calls("GetOperation") >= 1  # the long-running operation was awaited
    status = json.loads(pvctl("status", "--phase", "mvp", "--json").out)["services"][0]
    assert status["image"] == NEW_IMAGE and status["latest_ready_revision"] == new
    assert [(t["percent"], t["revision"]) for t in status["traffic"]] == [(10, new), (90, FIRST)]

    promoted = _deploy(pvctl, "--service", "api", "--promote")
    assert fakes.run.traffic_received()[-1] == [("LATEST", "", 100)]
    assert promoted["revision"] == new
    assert promoted["traffic"] == [{"percent": 100, "revision": new, "latest": True, "tag": ""}]


def test_canary_then_rollback_returns_all_traffic_to_the_previous_revision(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    _deploy(pvctl, "--service", "api", "--image", NEW_IMAGE, "--canary", "25")
    back = _deploy(pvctl, "--service", "api", "--rollback")
    assert fakes.run.traffic_received()[-1] == [("REVISION", FIRST, 100)]
    assert back["revision"] == FIRST and back["image"] == scenarios.API_IMAGE


def test_rollback_after_a_full_deploy_finds_the_previous_ready_revision(fakes, pvctl):
    scenarios.scale(fakes.run, fakes.compute)
    _deploy(pvctl, "--service", "bff", "--image", "registry.example.com/bff:2")
    broken = pvctl("deploy", "--service", "bff", "--image", "registry.example.com/bff:3-broken")
    assert broken.code == 1
    assert "failed to start" in broken.err and "Traceback" not in broken.err
    assert len(broken.err.strip().splitlines()) == 1
    back = _deploy(pvctl, "--service", "bff", "--rollback")
    second = fakes.run.services[f"projects/{scenarios.PROJECT}/locations/{scenarios.REGION}/services/pv-bff"]
    assert back["image"] == "registry.example.com/bff:2"
    assert fakes.run.traffic_received()[-1] == [("REVISION", second.latest_ready_revision.rsplit("/", 1)[-1], 100)]


def test_plain_deploy_sends_everything_to_the_latest_revision(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    result = pvctl("deploy", "--service", "app", "--image", NEW_IMAGE)
    assert result.code == 0
    assert fakes.run.traffic_received() == [[("LATEST", "", 100)]]
    assert "pv-api: deploy pv-api-" in result.out and "traffic: 100% latest (pv-api-" in result.out
    # pvctl.toml pins images and CI does not own them: the next apply would undo this deploy.
    assert "images.managed_by_ci is false" in result.err


def test_deploy_to_a_service_the_phase_does_not_have(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    result = pvctl("deploy", "--service", "bff", "--image", NEW_IMAGE)
    assert result.code == 1
    assert "Cloud Run service pv-bff does not exist" in result.err and "apply the phase first" in result.err


def test_exactly_one_action(fakes, pvctl):
    assert pvctl("deploy", "--service", "api", "--image", NEW_IMAGE, "--promote").code == 4
    assert pvctl("deploy", "--service", "api").code == 4
    assert pvctl("deploy", "--service", "api", "--promote", "--canary", "5").code == 4
    assert pvctl("deploy", "--service", "api", "--image", NEW_IMAGE, "--canary", "100").code == 2
    assert pvctl("deploy", "--service", "worker", "--promote").code == 4
    assert fakes.run.calls("UpdateService") == 0


def test_promote_refuses_a_revision_that_is_not_ready(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    assert pvctl("deploy", "--service", "api", "--image", "registry.example.com/api:broken").code == 1
    result = pvctl("deploy", "--service", "api", "--promote")
    assert result.code == 1 and "is not ready" in result.err
    assert fakes.run.calls("UpdateService") == 1
