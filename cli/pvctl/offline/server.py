"""One stand-in provider server per pvctl run, shared by every Terraform command of the run.

Through dev_overrides alone (`wiring`), Terraform starts the stand-in for each provider
instance of each command: a plan starts it three times, `show -json` once more, and each start
pays Python, grpc and the schema. Instead pvctl starts one server (`provider.py --unmanaged`)
as soon as it knows the run is offline, while it renders and inits, and gives every Terraform
command TF_REATTACH_PROVIDERS naming it: Terraform then connects to it and starts no provider
process (reattached providers take precedence over dev_overrides: internal/command/meta_providers.go,
providerFactories). `"Test": true` tells go-plugin that Terraform must never stop it.

It listens on 127.0.0.1 rather than a unix socket: gRPC names every unix-socket client
`unix:`, and the server tells provider instances apart by their connection (each keeps its own
provider configuration), which a TCP peer address identifies. Another local user could connect
and use the stand-in, but could neither read nor change what pvctl's connections hold.

The server lives in a process group of its own (a Ctrl-C at the terminal reaches pvctl only,
which lets Terraform stop cleanly first). pvctl ends it when the command ends, however it ends
(`stop_all`, from the CLI and at exit); if pvctl itself is killed, its stdin pipe closes and it
ends on its own.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from pvctl.core.errors import ToolError
from pvctl.core.files import write_atomic
from pvctl.core.repo import config_files
from pvctl.offline.derived import ENV_CACHE_DIR
from pvctl.offline.schema import PROVIDER_ADDRESS
from pvctl.offline.schema_subset import ENV_TYPES_FILE
from pvctl.offline.used_types import command_types
from pvctl.offline.wiring import offline_dir, provider_command

ENV_REATTACH = "TF_REATTACH_PROVIDERS"
LOG_NAME = "server.log"
START_TIMEOUT = 60.0  # seconds to the address line: a loaded machine can take several


class StandinServer:
    """The stand-in running as an unmanaged provider; its address once it has announced one."""

    def __init__(self, repo_root: Path) -> None:
        # The command the launcher script runs, not the script: pvctl ci writes scripts while its threads
        # start processes, and executing a file just written can then fail (ETXTBSY).
        command, package_root, cache = provider_command(repo_root)
        cache.mkdir(parents=True, exist_ok=True)
        # The types the run's roots name, which the server gives Terraform the schemas of: until the
        # first `allow` writes it, the server serves the whole schema.
        self.types_file = offline_dir(repo_root) / f"types-{secrets.token_hex(8)}.txt"
        self._types: set[str] | None = None  # none written yet
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=package_root + (f":{path}" if path else ""),
                   **{ENV_CACHE_DIR: str(cache), ENV_TYPES_FILE: str(self.types_file)})
        # Its errors (a traceback behind an error Terraform reports) go to a log, not between pvctl's lines.
        self.log = offline_dir(repo_root) / LOG_NAME
        with open(os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as log:
            self.proc = subprocess.Popen(
                [*command, "--unmanaged"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                process_group=0, text=True,
            )
        self._env: dict[str, str] | None = None
        self._lock = threading.Lock()

    def allow(self, types: set[str]) -> None:
        """Serve the schemas of `types` too, from the next GetProviderSchema on: called before each
        Terraform command with what it can name. The served set only grows during a run: commands of
        other roots may be running meanwhile (pvctl ci plans its phases side by side)."""
        with self._lock:
            if self._types is None or not types <= self._types:
                self._types = (self._types or set()) | types
                write_atomic(self.types_file, "".join(f"{name}\n" for name in sorted(self._types)))

    def reattach_env(self) -> dict[str, str]:
        """TF_REATTACH_PROVIDERS for hashicorp/google; waits for the server's address the first time."""
        with self._lock:
            if self._env is None:
                self._env = {ENV_REATTACH: json.dumps({PROVIDER_ADDRESS: self._reattach_config()})}
            return self._env

    def _reattach_config(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        # go-plugin's handshake line, after whatever Python printed as it started (a sitecustomize, say).
        deadline, printed, parts = time.monotonic() + START_TIMEOUT, "", None
        while (line := _read_line(self.proc.stdout, deadline - time.monotonic())) and not (parts := _handshake(line)):
            printed = line.strip() or printed
        if not parts:
            if line == "":  # its output ended: it is ending, or has
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
            code = self.proc.poll()
            self.stop()
            said = (self.log.read_text(errors="replace").strip().splitlines() or [printed or "it printed nothing"])[-1]
            what = f"gave no address within {START_TIMEOUT:.0f} s" if code is None else f"did not start (exit {code})"
            raise ToolError(
                f"the offline stand-in provider {what}: {said}",
                f"its error output is in {self.log}; reinstall pvctl (`pip install -e .`) if a module is missing",
            )
        return {"Protocol": parts[4], "ProtocolVersion": int(parts[1]), "Pid": self.proc.pid, "Test": True,
                "Addr": {"Network": "tcp", "String": parts[3]}}

    def stop(self) -> None:
        """End it now: it holds nothing to save (Terraform writes the state), and the Terraform
        commands of the run have ended. A graceful exit would cost pvctl's exit a few hundred ms."""
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        self.types_file.unlink(missing_ok=True)


def _handshake(line: str) -> list[str] | None:
    """The fields of go-plugin's `core-version|app-version|tcp|address|grpc` line, None for another line."""
    parts = line.strip().split("|")
    return parts if len(parts) >= 5 and parts[0].isdigit() and parts[1].isdigit() and parts[2] == "tcp" else None


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """One line from the server's stdout, "" at its end, None if none came in time (the caller then stops it)."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0] if got else None


_SERVER: list[StandinServer] = []  # the one this process runs, once started
_SERVER_LOCK = threading.Lock()


def shared_server(repo_root: Path) -> StandinServer:
    """The run's server, started on first use with `repo_root`'s wiring. Every phase of `pvctl ci`
    shares it, the base branch's sandbox applies too: the stand-in is this pvctl's code whichever
    repository is planned, and each connection keeps its own provider configuration."""
    with _SERVER_LOCK:
        if not _SERVER or _SERVER[0].proc.poll() is not None:
            _SERVER[:] = [StandinServer(Path(repo_root).resolve())]
        return _SERVER[0]


def server_for(repo_root: Path, root: Path, state: Path | None = None,
               data_dir: Path | None = None) -> Callable[[Sequence[str], Path], Mapping[str, str]] | None:
    """A call giving the reattach variables of the run's server for a Terraform command (its arguments
    and folder; the root's state file and TF_DATA_DIR), after telling the server the types the command
    can name; the server starts now, and again should it have ended. None when neither `root` (the
    folder the commands run in) nor the repository's modules name google (only built-in providers): a
    server would only cost a process.
    Should such a root use google all the same, Terraform starts the stand-in itself through dev_overrides."""
    if not any(b"google" in f.read_bytes() for f in [*config_files(root), *config_files(repo_root / "modules", recursive=True)]):
        return None
    shared_server(repo_root)

    def env(args: Sequence[str], cwd: Path) -> Mapping[str, str]:
        server = shared_server(repo_root)
        server.allow(command_types(args, cwd, state, data_dir))
        return server.reattach_env()

    return env


def stop_all() -> None:
    """End the server this process started, if any (the command is over, whether it succeeded or not)."""
    with _SERVER_LOCK:
        servers = list(_SERVER)
        _SERVER.clear()
    for server in servers:
        server.stop()


atexit.register(stop_all)
