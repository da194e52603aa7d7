"""Phase defaults from `environments/phases.toml`: the one source of truth for every number.

The file sits beside the Terraform it feeds (the rendered tfvars) and the cost estimator reads its
`usage` tables. A loaded configuration names the file of its repository (`Config.phases_file`; pvctl
ci renders and prices the base branch with the base commit's); without one, the default is the file
of the repository found from PVCTL_REPO or the working directory, and only outside any repository
the checkout pvctl is installed from (`pvctl --help` elsewhere).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RELATIVE_PATH = Path("environments") / "phases.toml"
# cli/pvctl/core/phases.py -> the repository root of a source checkout.
_CHECKOUT_FILE = Path(__file__).resolve().parents[3] / RELATIVE_PATH

# Keys of a phase that are not Terraform input tables.
META_KEYS = frozenset({"order", "summary", "usage"})
# Top-level tables that are not phases: settings every phase shares (`slo_thresholds()`).
SHARED_TABLES = frozenset({"slo"})
# The `[slo]` thresholds the alert policies share with the canary watch: rendered into the
# monitoring table of every phase that has one, so the numbers live in one place.
SLO_ALERT_KEYS = ("error_5xx_ratio_max", "error_window_seconds", "latency_p95_ms_max", "latency_window_seconds")


@dataclass(frozen=True)
class Phase:
    name: str
    order: int
    summary: str
    tables: Mapping[str, Mapping[str, Any]]  # each becomes one Terraform object variable
    usage: Mapping[str, Any]                 # traffic profile for the cost estimator


def repository_phases_file(repo_root: Path) -> Path | None:
    """The phase data of the repository at `repo_root`, when it has its own."""
    path = Path(repo_root) / RELATIVE_PATH
    return path if path.is_file() else None


def default_phases_file() -> Path:
    """The phase data pvctl uses when none is given: the repository's being worked in, not the
    installed checkout's, so an edited phases.toml in another clone is the one that counts."""
    from pvctl.core.errors import ConfigError
    from pvctl.core.repo import find_repo_root

    try:
        found = repository_phases_file(find_repo_root())
    except ConfigError:
        found = None
    return found or _CHECKOUT_FILE


def _raw(path: Path | None) -> dict[str, Any]:
    path = (path or default_phases_file()).resolve()
    try:
        changed = path.stat().st_mtime_ns
    except OSError:
        changed = 0  # _read reports the file as unreadable
    return _read(path, changed)


@lru_cache(maxsize=8)
def _read(path: Path, _changed: int) -> dict[str, Any]:
    from pvctl.core.errors import ConfigError

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with where it stopped: "... (at line 3, column 7)"
        problem, _, at = str(exc).removesuffix(")").rpartition(" (at ")
        field = f"{path}, {at}" if problem else str(path)
        raise ConfigError([(field, f"is not valid TOML: {problem or exc}", "fix the syntax there (https://toml.io/en/v1.0.0)")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([(str(path), f"cannot read the phase defaults (not UTF-8 at byte {exc.start})", "save it as UTF-8")]) from None
    except OSError as exc:
        raise ConfigError([(str(path), f"cannot read the phase defaults ({exc.strerror})",
                            f"restore it, e.g. `git checkout -- {RELATIVE_PATH}`")]) from None


def load_phases(path: Path | None = None) -> dict[str, Phase]:
    """All phases, in promotion order (mvp, growth, scale), from `path` or `default_phases_file()`."""
    phases = []
    for name, body in _raw(path).items():
        if name in SHARED_TABLES:
            continue
        tables = {k: dict(v) for k, v in body.items() if k not in META_KEYS and isinstance(v, dict)}
        phases.append(Phase(name, int(body["order"]), str(body.get("summary", "")), tables, dict(body.get("usage", {}))))
    return {p.name: p for p in sorted(phases, key=lambda p: p.order)}


def slo_thresholds(path: Path | None = None) -> dict[str, Any]:
    """The `[slo]` table: 5xx and latency thresholds and the canary watch's timing."""
    return dict(_raw(path).get("slo", {}))


def phase_names() -> list[str]:
    return list(load_phases())


def get_phase(name: str, path: Path | None = None, field: str = "--phase") -> Phase:
    """The phase called `name`; `field`: where the user gave the name (an option, a file key), for the error."""
    from pvctl.core.errors import ConfigError

    phases = load_phases(path)
    if name not in phases:
        raise ConfigError([(field, f"unknown phase {name!r}", f"use one of: {', '.join(phases)}")])
    return phases[name]


def effective_tables(phase: Phase, overrides: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The phase's tables with pvctl.toml's `[phases.<phase>.<table>]` values applied (already validated)."""
    mine = overrides.get(phase.name, {})
    return {table: {**values, **mine.get(table, {})} for table, values in phase.tables.items()}


def effective_usage(phase: Phase, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {**phase.usage, **overrides.get(phase.name, {})}
