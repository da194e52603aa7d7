"""Find the Terraform executable and run it as a subprocess, the way automation runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

from pvctl.core.errors import Interrupted, PvctlError

BUNDLED_NAME = "pvctl-terraform"
ENV_TERRAFORM = "PVCTL_TERRAFORM"


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: str
    bundled: bool


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str = ""
    stderr: str = ""


def _bundled_path() -> Path:
    # The console script is installed next to the interpreter running pvctl.
    candidate = Path(sys.executable).parent / BUNDLED_NAME
    if candidate.exists():
        return candidate
    found = shutil.which(BUNDLED_NAME)
    if found:
        return Path(found)
    raise PvctlError(
        f"bundled Terraform: the `{BUNDLED_NAME}` executable is not installed",
        "reinstall pvctl (`pip install -e .`) or pass --terraform PATH",
    )


@lru_cache(maxsize=8)
def _version_of(path: str) -> str:
    try:
        done = subprocess.run(
            [path, "version", "-json"], capture_output=True, text=True, timeout=60, env=_base_env()
        )
    except OSError as exc:
        raise PvctlError(f"terraform executable {path}: cannot run it ({exc.strerror})", "pass a working terraform with --terraform or unset PVCTL_TERRAFORM") from exc
    try:
        return json.loads(done.stdout)["terraform_version"]
    except (ValueError, KeyError):
        match = re.search(r"Terraform v(\d+\.\d+\.\d+\S*)", done.stdout)
        if not match:
            raise PvctlError(f"terraform executable {path}: `version` printed no version", "pass a Terraform executable with --terraform") from None
        return match.group(1)


def required_version(repo_root: Path) -> str | None:
    pin = repo_root / ".terraform-version"
    return pin.read_text().strip() if pin.exists() else None


def find_terraform(explicit: str | None = None, repo_root: Path | None = None) -> TerraformBinary:
    """The user's Terraform when asked for (flag or PVCTL_TERRAFORM), else the bundled one.

    A user's Terraform must match `.terraform-version`: plans made with another
    version may not apply with this one, and state written by a newer one is unreadable.
    """
    chosen = explicit or os.environ.get(ENV_TERRAFORM)
    if not chosen:
        path = _bundled_path()
        return TerraformBinary(path=path, version=_version_of(str(path)), bundled=True)
    resolved = shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    if not resolved:
        raise PvctlError(f"terraform executable {chosen!r} not found", f"pass an existing path with --terraform, or unset {ENV_TERRAFORM} to use the bundled Terraform")
    version = _version_of(resolved)
    wanted = required_version(repo_root) if repo_root else None
    if wanted and version != wanted:
        raise PvctlError(
            f"terraform {resolved} is version {version}, but .terraform-version pins {wanted}",
            f"install Terraform {wanted}, or drop --terraform/{ENV_TERRAFORM} to use the bundled Terraform {wanted}",
        )
    return TerraformBinary(path=Path(resolved), version=version, bundled=False)


def _base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    if extra:
        env.update(extra)
    return env


@dataclass
class TerraformRunner:
    """Runs one Terraform executable with pvctl's environment around it."""

    binary: TerraformBinary
    cli_config_file: Path | None = None
    data_dir: Path | None = None
    plugin_cache_dir: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = _base_env(self.extra_env)
        # Never the user's ~/.terraformrc: an empty pvctl-owned file when none is given.
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config_file) if self.cli_config_file else os.devnull
        if self.data_dir:
            env["TF_DATA_DIR"] = str(self.data_dir)
        if self.plugin_cache_dir:
            self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
            env["TF_PLUGIN_CACHE_DIR"] = str(self.plugin_cache_dir)
        return env

    def run(self, args: Sequence[str], cwd: Path, capture: bool = True) -> RunResult:
        done = subprocess.run(
            [str(self.binary.path), *args],
            cwd=cwd,
            env=self.env(),
            capture_output=capture,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        return RunResult(done.returncode, done.stdout or "", done.stderr or "")

    def stream(self, args: Sequence[str], cwd: Path, sink: Callable[[str], None], keep: int = 400) -> RunResult:
        """Run with Terraform's output (stdout and stderr merged) passed line by line to sink.

        Ctrl-C while Terraform runs: pvctl stays alive until Terraform has stopped
        cleanly (state written, lock released), then raises Interrupted (exit 130).
        The returned stdout holds the last `keep` lines, for error messages.
        """
        proc = subprocess.Popen(
            [str(self.binary.path), *args], cwd=cwd, env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
        )
        tail: deque[str] = deque(maxlen=keep)
        with _ForwardInterrupts(proc) as interrupts:
            assert proc.stdout is not None
            for line in proc.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                sink(line)
            returncode = proc.wait()
        if interrupts.count == 1:
            raise Interrupted(
                f"interrupted: terraform {args[0]} stopped after Ctrl-C (exit {returncode}), once its running operations had finished and the state was saved",
                "read the output above, then run the command again",
            )
        if interrupts.count > 1:
            raise Interrupted(
                f"interrupted twice: terraform {args[0]} aborted without waiting for running operations (exit {returncode})",
                "plan again to see what the state holds; if it reports a held lock, release it with `terraform force-unlock`",
            )
        return RunResult(returncode, "\n".join(tail), "")


def _terminal_sends_to_us() -> bool:
    """True when a Ctrl-C typed in our terminal reaches our whole process group.

    Terraform runs in pvctl's process group, so a terminal Ctrl-C reaches it
    directly; forwarding that one too would count as a second interrupt, which
    makes Terraform abort without cleaning up.
    """
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


class _ForwardInterrupts:
    """While a child runs: SIGINT/SIGTERM no longer kill pvctl; they reach the child once each."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.count = 0
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, _frame: object) -> None:
        self.count += 1
        if signum != signal.SIGINT or not _terminal_sends_to_us():
            try:
                self.proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass

    def __enter__(self) -> "_ForwardInterrupts":
        # Signal handlers can only be installed from the main thread (e.g. not under some test runners).
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self.proc.poll() is None:
            # pvctl itself failed (e.g. a broken pipe): stop Terraform the clean way, keep
            # draining its output so it never blocks on a full pipe, and wait for it.
            self.proc.send_signal(signal.SIGINT)
            if self.proc.stdout is not None:
                for _ in self.proc.stdout:
                    pass
            self.proc.wait()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
