"""One checkov process for all the scans of a pvctl run (`checkov_fork_server`): checkov's import,
about 2 s of CPU, is paid once; each scan runs in a fork of that process, a fresh checkov.

It needs the Python a checkov executable runs: pvctl's own install, or a `PVCTL_CHECKOV` that pip
installed (its first line names its Python). For any other executable, or if that process has
ended, each scan runs the executable itself.
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

from pvctl.engine.terraform import forget_tool, start_tool, tool_interrupted

SERVER = Path(__file__).with_name("checkov_fork_server.py")


def python_of(executable: Path) -> Path | None:
    """The Python interpreter a pip-installed script names on its `#!` line, if it names one."""
    try:
        with executable.open("rb") as script:
            first = script.readline(4096)
    except OSError:
        return None
    words = first[2:].split() if first.startswith(b"#!") else []
    if not words:
        return None
    python = Path(os.fsdecode(words[0]))
    return python if python.name.startswith("python") and python.is_file() else None


class CheckovForks:
    """The checkov process of this run and the scans it runs; thread-safe (pvctl ci scans from threads)."""

    def __init__(self, python: Path, env: Mapping[str, str]) -> None:
        # `env`: what checkov reads as it is imported (LOG_LEVEL); each scan gets its own.
        # -P: not this folder first on sys.path, where `checkov` would be pvctl's module of that name.
        self.proc = start_tool([str(python), "-P", str(SERVER)], "checkov", env=dict(env), text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.outputs = Path(tempfile.mkdtemp(prefix="pvctl-checkov-"))  # 0700: reports name the code's findings
        self._ids = itertools.count()
        self._waiting: dict[int, Future[int]] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read_answers, name="pvctl-checkov-answers", daemon=True).start()

    def _read_answers(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            answer = json.loads(line)
            with self._lock:
                waiting = self._waiting.pop(answer["id"], None)
            if waiting is not None:
                waiting.set_result(int(answer["code"]))
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
                if self.proc.poll() is not None:
                    return None
                self._waiting[request_id] = answer
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
            code = answer.result()
        except (OSError, EOFError):
            with self._lock:
                self._waiting.pop(request_id, None)
            tool_interrupted("checkov", self.proc.poll() or 0)
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


_RUN: dict[Path, CheckovForks] = {}  # executable -> this run's process
_RUN_LOCK = threading.Lock()


def forks_for(executable: Path, env: Mapping[str, str]) -> CheckovForks | None:
    """This run's checkov process for `executable`, started on first use; None if it cannot be."""
    with _RUN_LOCK:
        forks = _RUN.get(executable)
        if forks is None or forks.proc.poll() is not None:
            python = python_of(executable)
            if python is None:
                return None
            forks = _RUN[executable] = CheckovForks(python, env)
        return forks


def close_all() -> None:
    """End this run's checkov process (the command is over)."""
    with _RUN_LOCK:
        running = list(_RUN.values())
        _RUN.clear()
    for forks in running:
        forks.close()


atexit.register(close_all)
