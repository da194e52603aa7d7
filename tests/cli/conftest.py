"""A throw-away infrastructure repository whose phases are made of terraform_data resources."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

# Imported here: their atexit ends, for the worker's end, are registered for real.
from pvctl.offline import server as standin
from pvctl.offline.wiring import offline_dir
from pvctl.policy import checkov_forks

_real_forks_for, _real_close_all = checkov_forks.forks_for, checkov_forks.close_all
_real_shared_server = standin.shared_server
MAIN_REPO = Path(__file__).resolve().parents[2]
PVCTL_TOML = """\
[project]
id = "pv-test-project"
region = "southamerica-east1"
domain = "app.example.com.br"
alert_email = "ops@example.com.br"

[images]
api = "southamerica-east1-docker.pkg.dev/pv-test-project/app/api:1.0.0"
bff = "southamerica-east1-docker.pkg.dev/pv-test-project/app/bff:1.0.0"

[guards]
# terraform_data stands in for a database here: the guard sees it through the
# same configuration path a user would take for their own stateful types.
extra_stateful_types = ["terraform_data"]
"""

# Per phase: extra HCL on top of the variable declarations and the phase outputs.
PHASE_BODY = {
    "mvp": """
resource "terraform_data" "database" {
  input            = var.database.tier
  triggers_replace = [var.database.edition]
}
""",
    "growth": """
resource "terraform_data" "database" {
  input            = var.database.tier
  triggers_replace = [var.database.edition]
}
resource "terraform_data" "redis" {
  input = var.redis.tier
}
""",
    "scale": """
resource "terraform_data" "slow" {
  input = var.api.max_instances
  provisioner "local-exec" {
    command = "sleep 6"
  }
}
""",
}
ORDER = {"mvp": 1, "growth": 2, "scale": 3}


def variables_tf(keys: list[str]) -> str:
    blocks = [f'variable "{k}" {{\n  type = any\n}}\n' for k in keys]
    blocks.append('variable "db_admin_password" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n')
    return "\n".join(blocks)


def make_repo(root: Path, toml: str = PVCTL_TOML) -> Path:
    from pvctl.core.config import load_config
    from pvctl.core.render import render_tfvars

    (root / "modules").mkdir(parents=True)
    shutil.copytree(MAIN_REPO / "templates", root / "templates")
    (root / ".terraform-version").write_text((MAIN_REPO / ".terraform-version").read_text())
    (root / "pvctl.toml").write_text(toml)
    for phase in PHASE_BODY:
        (root / "environments" / phase).mkdir(parents=True)
    config = load_config(repo_root=root, env={})
    for phase, body in PHASE_BODY.items():
        env = root / "environments" / phase
        (env / "versions.tf").write_text('terraform {\n  backend "gcs" {}\n}\n')
        (env / "variables.tf").write_text(variables_tf(sorted(render_tfvars(config, phase))))
        (env / "main.tf").write_text(
            body + f'\noutput "phase" {{\n  value = "{phase}"\n}}\n\noutput "phase_order" {{\n  value = {ORDER[phase]}\n}}\n'
            'output "db_password_set" {\n  value     = "yes"\n  sensitive = true\n}\n'
        )
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "infra")


def pvctl_saying(args: list[str], cwd: Path, env: dict[str, str], said: str, **popen: Any) -> tuple[subprocess.Popen, str]:
    """pvctl as a real process, returned once its stderr has said `said`, with what it printed so far."""
    proc = subprocess.Popen([sys.executable, "-m", "pvctl", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, **popen)
    assert proc.stderr is not None
    seen = ""
    while said not in seen:
        line = proc.stderr.readline()
        assert line, seen
        seen += line
    return proc, seen


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no Google credentials, no PVCTL_* or GOGC from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PVCTL_", "GOOGLE_", "CLOUDSDK_")) and k != "GOGC"}
    env.update(HOME=str(tmp_path / "home"), CLOUDSDK_CONFIG=str(tmp_path / "gcloud"), NO_COLOR="1", COLUMNS="200")
    env.update(extra)
    return env


_checkov_kept_for: list[object] = []  # the executable and import environment of the checkov process `pvctl` keeps
_checked_this_command: list[bool] = []
_NOT_CHECKOVS = ("PYTEST_", "PVCTL_", "GOOGLE_", "CLOUDSDK_")  # the harness's, pvctl's and Google's libraries' variables


def _kept_forks_for(executable: Path, env: Mapping[str, str]) -> Any:
    """checkov_forks.forks_for, for a command whose checkov process outlives it. At the command's first
    scan, a process kept from an earlier command is used only if it started in the same environment
    (checkov reads settings from it at import) and still runs (one that ended would leave every later
    scan to checkov alone); otherwise it is ended and the command starts its own, as pvctl would."""
    key = (executable, {k: v for k, v in env.items() if not k.startswith(_NOT_CHECKOVS)})
    if not _checked_this_command:
        _checked_this_command.append(True)
        ended = any(forks is None or forks.proc.poll() is not None for forks in checkov_forks._running.values())
        if _checkov_kept_for != [key] or ended:
            _real_close_all()
            _checkov_kept_for[:] = [key]
    return _real_forks_for(executable, env)


_standin_kept: dict[str, Any] = {}  # "key" of the server started last, and "server" once a command has ended


_TOKEN_FILE = "started-by-this-test-worker"  # in the offline folder: a copy made again at its path has none


def _standin_key(repo_root: Path) -> object:
    """What a server reads as it starts: the repository's offline folder (that folder itself, told by the
    token written when the server started there), and the environment."""
    with contextlib.suppress(OSError):
        token = (offline_dir(repo_root) / _TOKEN_FILE).read_text()
        return token, {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return None


def _kept_shared_server(repo_root: Path) -> standin.StandinServer:
    """server.shared_server, for a command whose stand-in server outlives it. A server kept from the
    command before is the run's server again if it was started for the same repository in the same
    environment and still runs; otherwise it is ended."""
    kept = _standin_kept.pop("server", None)
    if kept is not None:
        if _standin_kept.get("key") == _standin_key(repo_root) and kept.proc.poll() is None:
            with standin._SERVER_LOCK:
                standin._SERVER[:] = standin._SERVER or [kept]
        else:
            kept.stop()
    before = list(standin._SERVER)
    server = _real_shared_server(repo_root)
    if before != [server]:  # started now: its folder exists
        (offline_dir(repo_root) / _TOKEN_FILE).write_text(secrets.token_hex(16))
        _standin_kept["key"] = _standin_key(repo_root)
    return server


def _keep_standin() -> None:
    """server.stop_all, for a command whose stand-in server outlives it: the server is kept as a new
    pvctl run would find a server of its own, serving the whole schema until the run names its types."""
    with standin._SERVER_LOCK:
        servers = list(standin._SERVER)
        standin._SERVER.clear()
    for server in servers:
        if server.proc.poll() is None:
            server.types_file.unlink(missing_ok=True)
            server._types = None
            _standin_kept["server"] = server


@contextlib.contextmanager
def _helpers_kept() -> Iterator[None]:
    with mock.patch.multiple(checkov_forks, close_all=lambda: None, forks_for=_kept_forks_for), \
            mock.patch.multiple(standin, stop_all=_keep_standin, shared_server=_kept_shared_server):
        yield


def pvctl(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 180, merge_stderr: bool = False,
          keep_helpers: bool = True) -> subprocess.CompletedProcess:
    """Run pvctl's Typer app in this process with `env` as the whole environment, `cwd` as the working
    directory and an empty stdin: what `python -m pvctl` runs, minus an interpreter start-up and the
    imports per call. Terraform and the stand-in provider still run as real subprocesses; what the
    command registers with atexit runs when it returns, as it would when its process exits.
    With merge_stderr both streams go to `stdout` in the order written, as a terminal shows them.
    With keep_helpers the command's checkov process and offline stand-in server are left running for
    the next command in this process (see below); without, the command ends them, as pvctl does.
    `pvctl_process` runs the real executable where the process itself is under test."""
    from pvctl.app import app

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    # pvctl ignores interrupts while it ends (its atexit cleanup): this process goes on, and what it
    # starts later inherits an ignored SIGINT unless the handlers come back.
    saved_handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    out = io.StringIO()
    err = out if merge_stderr else io.StringIO()
    at_exit: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(), out, err
    # The checkov process outlives the command, for the next one in this worker: it is an import of
    # checkov (~2 s of CPU) that each scan forks from with the scan's own folder and environment. So
    # does the stand-in server, for the next command on the same repository (~0.3 s of CPU to start).
    # tests/policy/test_checkov_forks.py and tests/offline/test_standin_server.py run pvctl as a
    # process where these processes' lives are tested.
    _checked_this_command.clear()
    keep = _helpers_kept if keep_helpers else contextlib.nullcontext
    if not keep_helpers and (kept := _standin_kept.pop("server", None)) is not None:
        kept.stop()  # the command starts and ends its own, as pvctl does
    try:
        with mock.patch("atexit.register", lambda func, *a, **kw: at_exit.append((func, a, kw)) or func), keep():
            app(args, prog_name="pvctl")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        with keep():
            for func, a, kw in reversed(at_exit):
                func(*a, **kw)
        for signum, handler in saved_handlers.items():
            signal.signal(signum, handler)
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["pvctl", *args], code, out.getvalue(), "" if merge_stderr else err.getvalue())


def pvctl_process(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pvctl", *args], cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout
    )


@dataclass
class FakeSecrets:
    server: Any  # tests.gcp.fakes.secrets_fake.FakeSecretManager
    env: dict[str, str]

    def set(self, name: str, value: bytes = b"value") -> None:
        from google.cloud import secretmanager_v1 as sm

        path = self.server.create_secret("pv-test-project", f"pv-{name}")
        self.server.add_version(sm.AddSecretVersionRequest(parent=path, payload=sm.SecretPayload(data=value)), None)


@pytest.fixture
def secret_manager():
    """Secret Manager on 127.0.0.1 (the gcp tests' wire-level fake) holding every mvp secret but the
    admin password, which a live run must then find in PVCTL_DB_ADMIN_PASSWORD."""
    from pvctl.gcp.clients import ENDPOINT_ENV
    from pvctl.gcp.preflight import phase_secret_names
    from tests.gcp.fakes.secrets_fake import FakeSecretManager

    server = FakeSecretManager().start()
    fake = FakeSecrets(server, {ENDPOINT_ENV["secretmanager"]: server.endpoint})
    for name in phase_secret_names("mvp"):
        if name != "db-admin-password":
            fake.set(name)
    yield fake
    server.stop()


def pty_session(
    argv: list[str], env: dict[str, str], cwd: Path, ready: Callable[[bytes], bool], act: Callable[[int, int], None]
) -> tuple[str, int]:
    """Run argv with a pseudo-terminal as its controlling terminal; `act(pid, master)` once `ready(output)`."""
    pid, master = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        os.chdir(cwd)
        os.execve(argv[0], argv, env)
    output, acted, deadline = b"", False, time.monotonic() + 180
    while time.monotonic() < deadline:
        if not acted and ready(output):
            act(pid, master)
            acted = True
        if not select.select([master], [], [], 0.05)[0]:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(master)
    assert acted, output.decode(errors="replace")
    return output.decode(errors="replace"), os.waitstatus_to_exitcode(status)
