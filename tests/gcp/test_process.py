"""The installed CLI in a fresh process, reaching the fakes only through the PVCTL_GCP_ENDPOINT_* hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pvctl.gcp.secrets import add_version
from tests.gcp.conftest import FAST
from tests.gcp.fakes import scenarios


def test_status_in_a_fresh_process_uses_the_endpoint_hook(fakes, repo):
    scenarios.scale(fakes.run, fakes.compute, certificate="PROVISIONING", domain_status="FAILED_NOT_VISIBLE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOOGLE_")}
    done = subprocess.run([sys.executable, "-m", "pvctl", "status", "--phase", "scale", "--json"], cwd=repo, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [s["name"] for s in doc["services"]] == ["pv-api", "pv-bff", "pv-webhooks"]
    assert doc["edge"]["certificates"][0]["status"] == "PROVISIONING"
    assert fakes.run.calls("GetService") == 3 and fakes.compute.calls["sslCertificates"] == 1


def test_command_module_imports_no_google_library():
    code = ("import sys, pvctl.commands.gcp_cmd; "
            "print([m for m in ('grpc', 'google.cloud', 'google.auth', 'google.api_core') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_prompted_value_is_not_echoed_and_rotation_asks_first(fakes, repo):
    """On a terminal the value is typed twice without echo, then the disable step asks y/N."""
    import pty
    import select
    import termios
    import time

    scenarios.secret_containers(fakes.secrets)
    secret = f"projects/{scenarios.PROJECT}/secrets/pv-crm-api-token"
    add_version(fakes.clients(), scenarios.PROJECT, "pv", "crm-api-token", b"old", FAST)
    value = "crm-Typed-S3cret-value"
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOOGLE_")}
    proc = subprocess.Popen([sys.executable, "-m", "pvctl", "secrets", "rotate", "crm-api-token"], cwd=repo, env=env,
                            stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes, limit: float = 30) -> None:
        nonlocal seen
        end = time.monotonic() + limit
        while marker not in seen and time.monotonic() < end:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(primary, 4096)
                except OSError:
                    return

    def type_hidden(text: str) -> None:
        # Type only once the prompt has switched the terminal's echo off, as a person would.
        end = time.monotonic() + 30
        while termios.tcgetattr(primary)[3] & termios.ECHO and time.monotonic() < end:
            time.sleep(0.02)
        assert not termios.tcgetattr(primary)[3] & termios.ECHO, "the prompt left echo on"
        os.write(primary, text.encode() + b"\n")

    try:
        read_until(b"value for crm-api-token")
        type_hidden(value)
        read_until(b"confirmation")
        type_hidden(value)
        read_until(b"disable versions 1")
        os.write(primary, b"y\n")
        read_until(b"disabled versions 1")
        assert proc.wait(timeout=30) == 0, seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    assert value.encode() not in seen
    assert fakes.secrets.payloads[f"{secret}/versions/2"] == value.encode()
    assert fakes.secrets.states(secret) == {"1": "DISABLED", "2": "ENABLED"}
