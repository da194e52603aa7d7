"""Usage profiles: the traffic a phase is priced with.

Defaults come from the phase's ``usage`` table in ``data/phases.toml``; ``[usage.<phase>]`` in
``pvctl.toml`` and then a ``--usage FILE`` override single keys.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pvctl.core.errors import ConfigError
from pvctl.core.limits import usage_problem



@dataclass(frozen=True)
class UsageProfile:
    requests_per_month: float = 0
    avg_request_seconds: float = 0.2
    concurrency_observed: float = 10
    egress_gb_per_month: float = 0
    ingress_gb_per_month: float = 0
    cdn_cache_hit_ratio: float = 0.0
    # Share of cache-served bytes that had to be filled from the origin that month.
    cdn_fill_ratio: float = 0.1
    client_geo: str = "latin-america"
    log_gb_per_month: float = 0
    secret_accesses_per_month: float = 0
    secret_versions_per_secret: float = 1
    db_backup_gb: float = 0
    nat_gb_per_month: float = 0
    # Fraction of requests_per_month each Cloud Run service handles, keyed by the service
    # name without the name prefix ("api", "bff", "webhooks"); a service not listed gets 1.0.
    request_share: dict[str, float] = field(default_factory=dict)

    def share(self, service_name: str) -> float:
        for role, share in self.request_share.items():
            if service_name == role or service_name.endswith("-" + role):
                return share
        return 1.0


_FIELDS = {f.name: f for f in dataclasses.fields(UsageProfile)}


def _coerce(source: str, key: str, value: Any) -> Any:
    if key not in _FIELDS:
        raise ConfigError([(f"{source}: {key}", "is not a usage key", f"use one of: {', '.join(_FIELDS)}")])
    bad = usage_problem(key, value)
    if bad:
        raise ConfigError([(f"{source}: {key}", *bad)])
    if key == "client_geo":
        return value
    if key == "request_share":
        return {str(k): float(v) for k, v in value.items()}
    return float(value)


def apply_overrides(profile: UsageProfile, overrides: dict[str, Any], source: str) -> UsageProfile:
    return dataclasses.replace(profile, **{k: _coerce(source, k, v) for k, v in overrides.items()})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([(str(path), "file not found", "pass an existing TOML file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([(str(path), f"is not valid TOML ({exc})", "fix the syntax")]) from None
    except UnicodeDecodeError:
        raise ConfigError([(str(path), "is not UTF-8 text", "save it as UTF-8 (TOML files are UTF-8)")]) from None


def phase_defaults(phase: str, phases_file: Path | None = None) -> UsageProfile:
    from pvctl.core.phases import get_phase

    return apply_overrides(UsageProfile(), dict(get_phase(phase, phases_file).usage), f"phases.toml [{phase}.usage]")


def load_usage(phase: str, config_overrides: dict[str, dict[str, Any]] | None = None,
               usage_file: Path | None = None, phases_file: Path | None = None) -> UsageProfile:
    """Phase defaults (from phases_file, else the phases.toml in effect), then pvctl.toml's
    ``[usage.<phase>]`` (validated by core.config), then the file.

    A usage file holds either bare keys (applied to whatever phase is priced) or
    ``[usage.<phase>]`` tables like pvctl.toml.
    """
    profile = phase_defaults(phase, phases_file)
    if config_overrides and phase in config_overrides:
        profile = apply_overrides(profile, config_overrides[phase], f"pvctl.toml [usage.{phase}]")
    if usage_file is not None:
        data = _read_toml(usage_file)
        table = data["usage"].get(phase, {}) if isinstance(data.get("usage"), dict) else data
        profile = apply_overrides(profile, table, str(usage_file))
    return profile
