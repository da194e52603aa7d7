"""User-facing errors: one line naming what is wrong, then how to fix it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    CHANGES = 2
    REFUSED = 3
    CONFIG = 4
    POLICY = 5
    INTERRUPTED = 130


class PvctlError(Exception):
    """An error the user can act on; the CLI prints it without a traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, what: str, fix: str | None = None) -> None:
        self.what = what
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.what} — {self.fix}" if self.fix else self.what


class ConfigError(PvctlError):
    """One or more configuration problems, each naming the field and the fix."""

    exit_code = ExitCode.CONFIG

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        # (field, problem, fix) triples, reported one per line.
        self.problems = problems
        super().__init__("; ".join(f"{f}: {p}" for f, p, _ in problems))

    def lines(self) -> list[str]:
        return [f"{field}: {problem} — {fix}" for field, problem, fix in self.problems]


class GuardRefusal(PvctlError):
    """A plan or apply refused for safety (destroy, downgrade, stale or offline plan)."""

    exit_code = ExitCode.REFUSED


class PolicyViolation(PvctlError):
    exit_code = ExitCode.POLICY


class ToolError(PvctlError):
    """Terraform, checkov or a Google API call failed."""

    exit_code = ExitCode.FAILED


class Interrupted(PvctlError):
    """Ctrl-C: Terraform was asked to stop and has exited."""

    exit_code = ExitCode.INTERRUPTED


def error_document(what: str, fix: str | None, exit_code: int) -> dict[str, dict[str, object]]:
    """The one JSON document a `--json` run prints on stdout when it fails or is refused."""
    return {"error": {"what": what, "fix": fix or "", "exit_code": int(exit_code)}}


def describe(exc: PvctlError) -> tuple[str, str]:
    """(what, fix) of an error; a ConfigError's problems each keep their field."""
    if isinstance(exc, ConfigError):
        return "; ".join(f"{f}: {p}" for f, p, _ in exc.problems), "; ".join(fix for _, _, fix in exc.problems)
    return exc.what, exc.fix or ""
