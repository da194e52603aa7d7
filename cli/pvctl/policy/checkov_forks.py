"""One checkov process for all the scans of a pvctl run (`checkov_fork_server`): checkov's import,
about 2 s of CPU, is paid once; each scan runs in a fork of that process, a fresh checkov.

It needs checkov's own launcher script, which names its Python on its first line: pvctl's install,
or a `PVCTL_CHECKOV` pip installed. For any other executable (a wrapper), or if that process cannot
run, each scan runs the executable itself.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path

from pvctl.engine.terraform import forget_tool, refuse_when_stopping, start_tool, tool_interrupted

SERVER = Path(__file__).with_name("checkov_fork_server.py")


# The lines of checkov's own launcher script (`bin/checkov`, installed by pip with its Python on the
# `#!` line): a script that does anything else (a wrapper adding options, logging, a `#!/bin/sh`
# launcher for a long interpreter path) is run as it is, once per scan, which is only slower.
_LAUNCHER = {"from checkov.main import Checkov", "import warnings", "import sys", "if __name__ == '__main__':",
             "with warnings.catch_warnings():", 'warnings.simplefilter("ignore", category=SyntaxWarning)',
             "sys.exit(Checkov().run())"}


def python_of(executable: Path) -> Path | None:
    """The Python interpreter of checkov's own launcher script, named on its `#!` line; None for any
    other executable."""
    try:
        with executable.open("rb") as script:  # a few lines; a binary checkov is not read whole
            first, *body = script.read(8192).decode().splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    words = first[2:].split() if first.startswith("#!") else []
    lines = {line.strip() for line in body if line.strip() and not line.lstrip().startswith("#")}
    if not words or not lines <= _LAUNCHER or "sys.exit(Checkov().run())" not in lines:
        return None
    python = Path(words[0])
    return python if python.name.startswith("python") and python.is_file() else None


class CheckovForks:
    """The checkov process of this run and the scans it runs; thread-safe (pvctl ci scans from threads)."""

    def __init__(self, python: Path, env: Mapping[str, str]) -> None:
        # `env`: what checkov reads as it is imported (LOG_LEVEL); each scan gets its own.
        self.outputs = Path(tempfile.mkdtemp(prefix="pvctl-checkov-"))  # 0700: reports name the code's findings
        # -P: not this folder first on sys.path, where `checkov` would be pvctl's module of that name.
        self.proc = start_tool([str(python), "-P", str(SERVER), str(self.outputs), str(os.getpid())], "checkov", env=dict(env), text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._ids = itertools.count()
        self._waiting: dict[int, Future[int]] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read_answers, name="pvctl-checkov-answers", daemon=True).start()

    def _read_answers(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                try:
                    answer = json.loads(line)
                    request_id, code = answer["id"], int(answer["code"])
                except (ValueError, TypeError, KeyError):
                    continue  # not an answer
                with self._lock:
                    waiting = self._waiting.pop(request_id, None)
                if waiting is not None:
                    waiting.set_result(code)
        finally:
            with self._lock:  # the process ended: no answer will come for the scans still waiting
                ended, self._waiting = list(self._waiting.values()), {}
            for waiting in ended:
                waiting.set_exception(EOFError("the checkov process ended"))

    def run(self, argv: Sequence[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess | None:
        """One scan: `argv` as checkov's own, in `cwd` with the whole environment `env`; None if the
        process has ended."""
        request_id = next(self._ids)
        stdout, stderr = self.outputs / f"{request_id}.out", self.outputs / f"{request_id}.err"
        answer: Future[int] = Future()
        request = {"id": request_id, "argv": list(argv), "cwd": str(cwd), "env": dict(env), "stdout": str(stdout), "stderr": str(stderr)}
        try:
            with self._lock:
                refuse_when_stopping("checkov")
                if self.proc.poll() is not None:
                    return None
                self._waiting[request_id] = answer
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
            code = answer.result()
        except (OSError, EOFError):  # the process ended: checkov runs on its own, unless pvctl is stopping
            with self._lock:
                self._waiting.pop(request_id, None)
            tool_interrupted("checkov", 0)
            return None
        except BaseException:
            self.kill()  # Ctrl-C while pvctl waits in the main thread: the scans end with it
            raise
        tool_interrupted("checkov", code)
        try:
            return subprocess.CompletedProcess(["checkov", *argv], code, stdout.read_text(errors="replace"),
                                               stderr.read_text(errors="replace"))
        finally:
            stdout.unlink(missing_ok=True)
            stderr.unlink(missing_ok=True)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the scans are in its process group

    def close(self) -> None:
        """End of input: the process exits once its scans have ended."""
        with contextlib.suppress(OSError), self._lock:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait()
        forget_tool(self.proc)
        shutil.rmtree(self.outputs, ignore_errors=True)


# Executable -> this run's process for it; None once it could not be used (each scan runs checkov then).
_running: dict[Path, CheckovForks | None] = {}
_running_lock = threading.Lock()


def forks_for(executable: Path, env: Mapping[str, str]) -> CheckovForks | None:
    """This run's checkov process for `executable`, started on first use; None if it cannot be."""
    with _running_lock:
        if executable not in _running:
            python = python_of(executable)
            _running[executable] = CheckovForks(python, env) if python else None
        return _running[executable]


def scan_in_fork(executable: Path, argv: Sequence[str], cwd: Path, env: Mapping[str, str],
                 import_env: Mapping[str, str]) -> subprocess.CompletedProcess | None:
    """One scan by this run's checkov process for `executable` (`import_env`: its environment as it
    imports checkov); None if there is none, or it has ended: checkov is then run for each scan."""
    forks = forks_for(executable, import_env)
    done = forks.run(argv, cwd, env) if forks is not None else None
    if done is None and forks is not None:  # it ended without being asked to (it could not import checkov)
        with _running_lock:
            _running[executable] = None
        forks.close()
    return done


def close_all() -> None:
    """End this run's checkov process (the command is over)."""
    with _running_lock:
        running = [forks for forks in _running.values() if forks is not None]
        _running.clear()
    for forks in running:
        forks.close()


atexit.register(close_all)
