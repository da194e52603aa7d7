"""Fake Google APIs on 127.0.0.1 wired to pvctl through its endpoint hook, and a throw-away repo."""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pvctl.gcp.calls import CallPolicy
from pvctl.gcp.clients import ENDPOINT_ENV, GcpClients
from tests.gcp.fakes import scenarios
from tests.gcp.fakes.compute_fake import FakeCompute
from tests.gcp.fakes.monitoring_fake import FakeMonitoring
from tests.gcp.fakes.run_fake import FakeCloudRun
from tests.gcp.fakes.secrets_fake import FakeSecretManager
from tests.gcp.fakes.sqladmin_fake import FakeSqlAdmin

PVCTL_TOML = f"""\
[project]
id = "{scenarios.PROJECT}"
region = "{scenarios.REGION}"
domain = "{scenarios.DOMAIN}"
alert_email = "ops@example.com.br"

[images]
api = "{scenarios.API_IMAGE}"
bff = "{scenarios.BFF_IMAGE}"
"""
# Fast backoff so retry tests take milliseconds; the counts, not the waits, are under test.
FAST = CallPolicy(attempt_timeout=2.0, total_timeout=5.0, initial_backoff=0.01, max_backoff=0.05, poll_interval=0.01)


@dataclass
class Fakes:
    run: FakeCloudRun
    secrets: FakeSecretManager
    compute: FakeCompute
    monitoring: FakeMonitoring
    sql: FakeSqlAdmin

    def endpoints(self) -> dict[str, str]:
        return {"run": self.run.endpoint, "secretmanager": self.secrets.endpoint, "compute": self.compute.endpoint,
                "monitoring": self.monitoring.endpoint, "sqladmin": self.sql.endpoint}

    def clients(self, policy: CallPolicy = FAST) -> GcpClients:
        return GcpClients(policy=policy, endpoints=self.endpoints())


@pytest.fixture
def fakes(monkeypatch):
    started = Fakes(FakeCloudRun().start(), FakeSecretManager().start(), FakeCompute(scenarios.PROJECT).start(),
                    FakeMonitoring().start(), FakeSqlAdmin(scenarios.PROJECT).start())
    for api, endpoint in started.endpoints().items():
        monkeypatch.setenv(ENDPOINT_ENV[api], endpoint)
    yield started
    for fake in (started.run, started.secrets, started.compute, started.monitoring, started.sql):
        fake.stop()


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "infra"
    for folder in ("environments/mvp", "environments/growth", "environments/scale", "modules"):
        (root / folder).mkdir(parents=True)
    (root / "pvctl.toml").write_text(PVCTL_TOML, encoding="utf-8")
    for var in ("PVCTL_CONFIG", "PVCTL_PROJECT", "PVCTL_REGION", "PVCTL_NAME_PREFIX", "PVCTL_IMAGES_MANAGED_BY_CI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PVCTL_REPO", str(root))
    return root


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def pvctl(capsys, monkeypatch, repo):
    """Run the real Typer app in-process (so caplog sees its log records); stdin from a string.

    The fakes count an operation's time in polls, not seconds: the commands poll them every 10 ms
    instead of Google's 2 s, with every other setting of the default call policy."""
    from pvctl.app import app

    from_env = GcpClients.from_env.__func__
    quick = dataclasses.replace(CallPolicy(), poll_interval=0.01)
    monkeypatch.setattr(GcpClients, "from_env", classmethod(lambda cls, env=None, policy=None: from_env(cls, env, policy or quick)))

    def run(*args: str, stdin: str = "") -> Outcome:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            app(list(args), prog_name="pvctl")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def interrupt_pvctl(repo: Path, args: list[str], ready: Callable[[], bool], presses: int = 1,
                    then: Callable[[], None] = lambda: None) -> Outcome:
    """Run pvctl in its own process against the fakes, press Ctrl-C (SIGINT) once `ready()`, call `then`, collect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOOGLE_")}
    proc = subprocess.Popen([sys.executable, "-m", "pvctl", *args], cwd=repo, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        for _ in range(presses):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.3)
        then()
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    return Outcome(proc.returncode, out, err)
