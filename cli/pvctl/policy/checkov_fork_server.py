"""Run checkov scans in forks of one process that imported checkov once. Run by checkov's own Python
(its private virtualenv), never imported by pvctl: it needs only the standard library and checkov.

checkov's start-up imports every framework it supports, about 2 s of CPU, and `pvctl ci` scans twice:
the code when it starts, the plans when they are ready. This process imports checkov while pvctl
plans, then forks a child for each scan pvctl asks for. Each child starts from the state right after
the import and runs `Checkov(argv).run()`, as checkov's own executable does, so each scan is a fresh
checkov.

Protocol, one JSON object per line. pvctl writes `{"id", "argv", "cwd", "env", "stdout", "stderr"}`:
the scan's arguments, working folder and whole environment, and files for its output. This process
answers `{"id", "code"}` when that scan ends; `code` is its exit status, or -N for signal N. A SIGINT
is passed on to the running scans, and later ones are answered as interrupted without running. At
end of input it stops any scan still running (its pvctl is gone) and removes the output folder.
"""

import contextlib
import gc
import json
import os
import shutil
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
    # Streams of its own on those descriptors (the report is printed to sys.stdout).
    sys.stdin, sys.stdout = open(0, closefd=False), open(1, "w", closefd=False)  # noqa: SIM115 - the child's whole life
    # checkov reads sys.argv itself (its usage line, the config file of the scanned folder), and
    # Checkov's default argv is the import's: both are the scan's.
    sys.argv = ["checkov", *request["argv"]]
    with warnings.catch_warnings():  # as checkov's executable runs it
        warnings.simplefilter("ignore", category=SyntaxWarning)
        return checkov_main.Checkov(argv=request["argv"]).run() or 0


def _exit_code(exc: SystemExit) -> int:
    """What Python makes of `sys.exit(code)`: None is 0, a message is printed and is 1."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def main() -> None:
    # pvctl's folder for the scans' output, and pvctl's pid (it may be gone before this line runs).
    outputs, parent = sys.argv[1], int(sys.argv[2])
    # Answers to pvctl on a descriptor of their own; fd 1 carries whatever else prints (a
    # sitecustomize, checkov's import) to stderr instead.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import checkov.main as checkov_main  # type: ignore[import-not-found]  # checkov's Python only

    on_interrupt = signal.getsignal(signal.SIGINT)  # checkov's own, for the scans
    running: set[int] = set()
    write = threading.Lock()
    interrupted = threading.Event()

    def answer(message: dict) -> None:
        with write, contextlib.suppress(OSError):  # pvctl gone: nobody to answer
            answers.write(json.dumps(message) + "\n")
            answers.flush()

    def pass_on(signum: int, _frame: object) -> None:
        interrupted.set()  # and no scan starts any more
        for pid in list(running):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def wait_for(pid: int, request_id: int) -> None:
        _, status = os.waitpid(pid, 0)
        running.discard(pid)
        answer({"id": request_id, "code": os.waitstatus_to_exitcode(status)})

    signal.signal(signal.SIGINT, pass_on)
    # The import's objects out of the collector's sight: a child's collections would otherwise touch,
    # and so copy, every page of them (two scans: 5.9 s of CPU without this, 4.7 s with it).
    gc.freeze()
    for line in sys.stdin:
        request = json.loads(line)
        # A SIGINT between the check and `running.add` would find no scan to stop: it waits until then.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        if interrupted.is_set() or os.getppid() != parent:  # pvctl is stopping, or gone
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            answer({"id": request["id"], "code": -signal.SIGINT})
            continue
        with write:  # no answer half-written (nor a stream lock held) in the child's copy of this process
            pid = os.fork()
        if pid == 0:
            # Not pvctl's answer pipe: held open by a scan, it would hide this process's end from pvctl.
            os.close(answers.fileno())
            signal.signal(signal.SIGINT, on_interrupt)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            code = 1
            try:
                code = _scan(checkov_main, request)
            except SystemExit as exc:
                code = _exit_code(exc)
            except BaseException:  # noqa: BLE001 - what a crashing checkov prints, in its stderr file
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        running.add(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a SIGINT held meanwhile reaches it now
        threading.Thread(target=wait_for, args=(pid, request["id"]), daemon=True).start()
    # End of input. pvctl closes it once every scan has answered and read its report: a scan still
    # running was asked for by a pvctl that is gone (killed), and nobody reads its report.
    for pid in list(running):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(outputs, ignore_errors=True)


if __name__ == "__main__":
    main()
