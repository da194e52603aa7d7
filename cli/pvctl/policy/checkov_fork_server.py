"""Run checkov scans in forks of one process that imported checkov once. Run by checkov's own Python
(its private virtualenv), never imported by pvctl: it needs only the standard library and checkov.

checkov's start-up imports every framework it supports, about 2 s of CPU, and `pvctl ci` scans twice:
the code when it starts, the plans when they are ready. This process imports checkov while pvctl
plans, then forks a child for each scan pvctl asks for. Each child starts from the state right after
the import and runs `Checkov(argv).run()`, as checkov's own executable does, so each scan is a fresh
checkov.

Protocol, one JSON object per line. pvctl writes `{"id", "argv", "cwd", "env", "stdout", "stderr"}`:
the scan's arguments, working folder and whole environment, and files for its output. This process answers `{"id", "code"}` when that
scan ends; `code` is its exit status, or -N for signal N. At end of input it waits for the running
scans, then exits. A SIGINT is passed on to the running scans.
"""

import gc
import json
import os
import signal
import sys
import threading
import traceback
import warnings
from typing import Any


def _scan(checkov_main: Any, request: dict) -> int:
    """In the child: the scan, its output in the files pvctl named."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    # Streams of its own on those descriptors (the report is printed to sys.stdout): the parent's
    # stdout carries the answers to pvctl.
    sys.stdin, sys.stdout = open(0, closefd=False), open(1, "w", closefd=False)  # noqa: SIM115 - the child's whole life
    with warnings.catch_warnings():  # as checkov's executable runs it
        warnings.simplefilter("ignore", category=SyntaxWarning)
        # argv passed on: Checkov's default is the argv of the import, this process's.
        return checkov_main.Checkov(argv=request["argv"]).run() or 0


def main() -> None:
    import checkov.main as checkov_main  # type: ignore[import-not-found]  # checkov's Python only

    on_interrupt = signal.getsignal(signal.SIGINT)  # checkov's own, for the scans
    running: set[int] = set()
    write = threading.Lock()

    def answer(message: dict) -> None:
        with write:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    def pass_on(signum: int, _frame: object) -> None:
        for pid in list(running):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def wait_for(pid: int, request_id: int) -> None:
        _, status = os.waitpid(pid, 0)
        running.discard(pid)
        answer({"id": request_id, "code": os.waitstatus_to_exitcode(status)})

    signal.signal(signal.SIGINT, pass_on)
    # The import's objects out of the collector's sight: a child's collections would otherwise touch,
    # and so copy, every page of them (two scans: 5.9 s of CPU without this, 4.7 s with it).
    gc.freeze()
    waiters = []
    for line in sys.stdin:
        request = json.loads(line)
        with write:  # no answer half-written (nor a stream lock held) in the child's copy of this process
            pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, on_interrupt)
            code = 1
            try:
                code = _scan(checkov_main, request)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - what a crashing checkov prints, in its stderr file
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        running.add(pid)
        waiter = threading.Thread(target=wait_for, args=(pid, request["id"]), daemon=True)
        waiter.start()
        waiters.append(waiter)
    for waiter in waiters:
        waiter.join()


if __name__ == "__main__":
    main()
