"""How a failed run ends: one `error:` line with the fix (or one JSON document), and its exit code.

Used by the CLI's command group for every command, so the same cause gives the same exit code
everywhere; `PVCTL_DEBUG=1` adds the traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from pvctl.core.errors import ConfigError, ExitCode, PvctlError, describe, error_document

DEBUG_ENV = "PVCTL_DEBUG"


def debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def wants_json(tokens: Sequence[str]) -> bool:
    """True when the command line asks for JSON on stdout (`--json`, `--format json`)."""
    words = list(tokens)
    if "--" in words:
        words = words[: words.index("--")]
    for i, word in enumerate(words):
        if word == "--json" or word == "--format=json":
            return True
        if word == "--format" and i + 1 < len(words) and words[i + 1] == "json":
            return True
    return False


def emit_json(what: str, fix: str | None, exit_code: int) -> None:
    import json  # on use: `json` is not on the path of every start (benchmarks/startup.py)

    sys.stdout.write(json.dumps(error_document(what, fix, exit_code), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def classify(exc: BaseException) -> PvctlError:
    """Any exception as a PvctlError: what happened, the fix, the exit code."""
    import typer

    if isinstance(exc, PvctlError):
        return exc
    if isinstance(exc, (KeyboardInterrupt, typer.Abort)):  # Abort: Ctrl-C at a confirmation prompt
        return _with_code(PvctlError("interrupted", "run the command again"), ExitCode.INTERRUPTED)
    if isinstance(exc, UnicodeError):  # bytes that are no text in the expected encoding
        return PvctlError(f"input is not valid text ({exc})",
                          "save the file as UTF-8 (or pipe UTF-8 text), then run the command again")
    if isinstance(exc, OSError):  # a file pvctl needs (state, plan, tool) that the system refused
        where = f" ({exc.filename})" if exc.filename else ""
        return PvctlError(f"{exc.strerror or exc}{where}", "check that path and its permissions, then run the command again")
    return PvctlError(f"unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "),
                      f"run it again with {DEBUG_ENV}=1 to see where, and report it")


def _with_code(error: PvctlError, code: ExitCode) -> PvctlError:
    error.exit_code = code
    return error


def report(exc: BaseException, json_mode: bool, raised: BaseException | None = None) -> int:
    """Print `exc` as `error:` lines on stderr (and, with --json, one document on stdout); return its exit code.

    With PVCTL_DEBUG=1 the traceback of what was raised (`raised`, else `exc`) comes first.
    """
    from pvctl.core import console

    if debug():
        traceback.print_exception(raised or exc, file=sys.stderr)
    error = classify(exc)
    for line in error.lines() if isinstance(error, ConfigError) else [error.line()]:
        console.error(line)
    if json_mode:
        what, fix = describe(error)
        emit_json(what, fix, int(error.exit_code))
    return int(error.exit_code)


def _terminate(signum: int, _frame: Any) -> None:
    # SIGTERM (CI cancelling a job, `timeout`) unwinds like Ctrl-C: temporary files are removed,
    # a running Terraform is stopped the clean way (engine.terraform forwards it exactly once).
    raise KeyboardInterrupt


def prepare_process() -> None:
    """Before any command: output that never fails on a locale's encoding, SIGTERM handled like Ctrl-C."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # Under a non-UTF-8 locale an em dash or a Δ must not end the run with UnicodeEncodeError.
            reconfigure(errors="replace")
    signal.signal(signal.SIGTERM, _terminate)
    # Started with SIGINT ignored (a background job of a non-interactive shell), pvctl still stops on
    # one, in every command alike; and its tools then start with SIGINT at its default, not ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
