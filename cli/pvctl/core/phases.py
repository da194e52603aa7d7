"""Phase defaults from `data/phases.toml`: the one source of truth for every number.

The packaged file is the default. `load_phases(path)` / `get_phase(name, path)` read another
one: pvctl ci renders and prices the base branch with the base commit's file (`Config.phases_file`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

# Keys of a phase that are not Terraform input tables.
META_KEYS = frozenset({"order", "summary", "usage"})
# Top-level tables that are not phases: settings every phase shares (`slo_thresholds()`).
SHARED_TABLES = frozenset({"slo"})


@dataclass(frozen=True)
class Phase:
    name: str
    order: int
    summary: str
    tables: Mapping[str, Mapping[str, Any]]  # each becomes one Terraform object variable
    usage: Mapping[str, Any]                 # traffic profile for the cost estimator


@lru_cache(maxsize=8)
def _raw(path: Path | None) -> dict[str, Any]:
    if path is None:
        return tomllib.loads(resources.files("pvctl").joinpath("data/phases.toml").read_text(encoding="utf-8"))
    from pvctl.core.errors import ConfigError

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([(str(path), f"cannot read the phase defaults ({exc})", "pass a readable phases.toml")]) from None


def load_phases(path: Path | None = None) -> dict[str, Phase]:
    """All phases, in promotion order (mvp, growth, scale), from `path` or the packaged file."""
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


def get_phase(name: str, path: Path | None = None) -> Phase:
    from pvctl.core.errors import ConfigError

    phases = load_phases(path)
    if name not in phases:
        raise ConfigError([("--phase", f"unknown phase {name!r}", f"use one of: {', '.join(phases)}")])
    return phases[name]


def effective_tables(phase: Phase, overrides: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The phase's tables with pvctl.toml's `[phases.<phase>.<table>]` values applied (already validated)."""
    mine = overrides.get(phase.name, {})
    return {table: {**values, **mine.get(table, {})} for table, values in phase.tables.items()}


def effective_usage(phase: Phase, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {**phase.usage, **overrides.get(phase.name, {})}
