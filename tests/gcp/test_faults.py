"""Credentials, permissions, outages and timeouts: retried where it helps, one clear line where not."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest

from pvctl.gcp.calls import CallPolicy, GcpError
from pvctl.gcp.clients import ENDPOINT_ENV
from pvctl.gcp.services import get_service
from tests.gcp.conftest import FAST
from tests.gcp.fakes import scenarios

P, R = scenarios.PROJECT, scenarios.REGION


def test_unavailable_is_retried_until_it_answers(fakes):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.run.faults.errors["GetService"] = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE]
    service = get_service(fakes.clients(), P, R, "pv-api", FAST)
    assert service.uri.startswith("https://pv-api-")
    assert fakes.run.calls("GetService") == 3


def test_unavailable_for_good_gives_up_and_says_so(fakes):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.run.faults.errors["GetService"] = [grpc.StatusCode.UNAVAILABLE] * 1000
    policy = CallPolicy(attempt_timeout=1.0, total_timeout=0.3, initial_backoff=0.02, max_backoff=0.05)
    with pytest.raises(GcpError) as caught:
        get_service(fakes.clients(policy), P, R, "pv-api", policy)
    calls = fakes.run.calls("GetService")
    assert calls >= 3
    assert caught.value.kind == "unavailable"
    assert f"after {calls} attempts" in caught.value.line() and "Cloud Run service pv-api" in caught.value.line()


def test_a_slow_api_times_out_per_attempt_and_is_retried(fakes):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.run.faults.delay["GetService"] = 0.4
    policy = CallPolicy(attempt_timeout=0.1, total_timeout=0.5, initial_backoff=0.01, max_backoff=0.02)
    with pytest.raises(GcpError) as caught:
        get_service(fakes.clients(policy), P, R, "pv-api", policy)
    assert caught.value.kind == "timeout"
    assert "no answer within 0.1s" in caught.value.line()
    assert fakes.run.calls("GetService") >= 2


def test_permission_denied_names_the_permission(fakes, pvctl):
    scenarios.mvp(fakes.run, fakes.compute)
    fakes.run.faults.denied["GetService"] = "run.services.get"
    result = pvctl("deploy", "--service", "api", "--promote")
    assert result.code == 1
    assert result.err.strip() == ("error: Cloud Run service pv-api: permission 'run.services.get' denied — "
                                  "grant your account a role that includes run.services.get")
    assert fakes.run.calls("GetService") == 1  # a denial is not retried


def test_rest_permission_denied_names_the_permission_from_the_message(fakes):
    from pvctl.gcp.edge import edge_status

    fakes.compute.denied["addresses"] = "compute.globalAddresses.list"
    with pytest.raises(GcpError) as caught:
        edge_status(fakes.clients(), P, "pv", FAST)
    assert caught.value.permission == "compute.globalAddresses.list"
    assert fakes.compute.calls["addresses"] == 1


def test_rest_timeouts_are_retried_then_reported(fakes):
    from pvctl.gcp.edge import edge_status

    fakes.compute.delay["addresses"] = 0.5
    policy = CallPolicy(attempt_timeout=0.1, total_timeout=0.4, initial_backoff=0.01, max_backoff=0.02)
    with pytest.raises(GcpError) as caught:
        edge_status(fakes.clients(policy), P, "pv", policy)
    assert caught.value.kind == "timeout"
    assert fakes.compute.calls["addresses"] >= 2


# --- credentials: the real google.auth path (no emulator endpoints) ------------------------------

@pytest.fixture
def no_emulator(monkeypatch, tmp_path):
    for var in ENDPOINT_ENV.values():
        monkeypatch.delenv(var, raising=False)
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))   # no gcloud login here
    monkeypatch.setenv("NO_GCE_CHECK", "True")                         # and no metadata server
    return tmp_path


def test_missing_credentials_say_how_to_log_in(no_emulator, pvctl):
    result = pvctl("status", "--phase", "mvp")
    assert result.code == 4  # a configuration problem, as in every command (README exit codes)
    line = result.err.strip()
    assert line.startswith("error: Google credentials: none found")
    assert "gcloud auth application-default login" in line and "GOOGLE_APPLICATION_CREDENTIALS" in line
    assert len(result.err.strip().splitlines()) == 1


def test_a_wrong_credentials_path_is_named(no_emulator, pvctl, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(no_emulator / "nope.json"))
    result = pvctl("secrets", "list")
    assert result.code == 4 and "nope.json" in result.err and "gcloud auth application-default login" in result.err


class _TokenEndpoint:
    """An OAuth token endpoint that refuses the refresh token, as Google does once it expired."""

    def __init__(self) -> None:
        self.calls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                outer.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.dumps({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/token"


def _service_account_key(token_uri: str) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {"type": "service_account", "project_id": P, "private_key_id": "0123abcd", "private_key": pem.decode(),
            "client_email": f"deployer@{P}.iam.gserviceaccount.com", "client_id": "1", "token_uri": token_uri}


def test_revoked_credentials_are_reported_before_any_api_call(no_emulator, pvctl, monkeypatch):
    # A deleted service-account key: Google's token endpoint answers invalid_grant.
    token = _TokenEndpoint()
    key_file = no_emulator / "key.json"
    key_file.write_text(json.dumps(_service_account_key(token.url)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    try:
        result = pvctl("secrets", "check", "--phase", "mvp")
    finally:
        token.httpd.shutdown()
    assert result.code == 4
    assert token.calls >= 1
    assert result.err.strip() == ("error: Google credentials: expired or revoked (token refresh refused) — run "
                                  "`gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
                                  "to a service-account key file")


def test_grpc_token_plugin_failure_is_a_credentials_error_not_an_outage():
    from google.api_core import exceptions as gx

    from pvctl.gcp.calls import is_transient, translate

    exc = gx.ServiceUnavailable("Getting metadata from plugin failed with error: ('invalid_grant: Bad Request')")
    assert not is_transient(exc)
    assert translate(exc, "Cloud Run service pv-api", FAST).kind == "credentials"


def test_api_not_enabled_says_which_to_enable(fakes):
    fakes.run.faults.disabled_api["GetService"] = "run.googleapis.com"
    with pytest.raises(GcpError) as caught:
        get_service(fakes.clients(), P, R, "pv-api", FAST)
    assert caught.value.line() == ("Cloud Run service pv-api: run.googleapis.com is not enabled in the project — "
                                   "gcloud services enable run.googleapis.com")


def test_a_deploy_that_outlasts_the_operation_timeout(fakes):
    from pvctl.gcp.deploy import deploy

    scenarios.mvp(fakes.run, fakes.compute)
    fakes.run.stuck = True
    policy = CallPolicy(attempt_timeout=1.0, total_timeout=2.0, initial_backoff=0.01, poll_interval=0.02, operation_timeout=0.3)
    with pytest.raises(GcpError) as caught:
        deploy(fakes.clients(policy), P, R, "pv-api", "registry/api:2", None, policy)
    assert caught.value.kind == "timeout" and "still running after 0.3s" in caught.value.line()
    assert fakes.run.calls("GetOperation") >= 2
