"""Usage profiles: the traffic a phase is priced with.

Defaults come from the phase's ``usage`` table in ``environments/phases.toml``; ``[usage.<phase>]`` in
``pvctl.toml`` and then a ``--usage FILE`` override single keys.

One profile describes one month of traffic; `traffic.py` splits it (CDN hits, origin requests,
webhooks, WebSockets) and every priced line reads that one split.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pvctl.core.errors import ConfigError

CLIENT_GEOS = ("latin-america", "north-america")
_TABLES = ("request_share", "client_geo")
_NAMES = ("websocket_service",)


@dataclass(frozen=True)
class UsageProfile:
    # Requests users send to the site (browser and app), before the CDN.
    requests_per_month: float = 0
    # Mean time a request keeps a Cloud Run instance busy (Little's law: in flight = rate × this).
    avg_request_seconds: float = 0.2
    # Inbound webhook calls (WhatsApp, CRMs): never cached, always reach a Cloud Run service.
    webhook_requests_per_month: float = 0
    # WebSockets: hours in the month during which clients hold connections open, how many on
    # average while they do, and the service that holds them (name without the prefix).
    websocket_hours_per_month: float = 0
    websocket_connections: float = 0
    websocket_service: str = "api"
    egress_gb_per_month: float = 0         # response bytes to users, cache hits included (GiB)
    ingress_gb_per_month: float = 0        # request bodies, uploads and webhook payloads (GiB)
    cdn_cache_hit_ratio: float = 0.0       # share of user requests (and their bytes) the CDN serves
    # GiB filled from the origin per GiB served from cache.
    cdn_fill_ratio: float = 0.1
    # Where users are, as shares of traffic: CDN egress, cache fill and internet egress are priced
    # by destination. A plain name means all traffic goes there.
    client_geo: dict[str, float] = field(default_factory=lambda: {"latin-america": 1.0})
    log_gb_per_month: float = 0
    secret_accesses_per_month: float = 0
    secret_versions_per_secret: float = 1
    db_backup_gb: float = 0
    nat_gb_per_month: float = 0            # outbound bytes sent to the internet through Cloud NAT
    artifact_gb: float = 0                 # container images kept in Artifact Registry
    # Share of origin requests (user requests the CDN does not answer) each Cloud Run service
    # handles, keyed by service name without the prefix; a service not listed gets 1.0.
    request_share: dict[str, float] = field(default_factory=dict)

    def share(self, service_name: str) -> float:
        """A service not listed takes every origin request, except a dedicated webhook receiver,
        which takes only webhooks."""
        role = next((r for r in self.request_share if has_role(service_name, r)), None)
        if role is None:
            return 0.0 if has_role(service_name, "webhooks") else 1.0
        return self.request_share[role]


def has_role(service_name: str, role: str) -> bool:
    """Whether a Cloud Run service name (prefix included) is the one a usage key calls `role`."""
    return service_name == role or service_name.endswith("-" + role)


_FIELDS = {f.name: f for f in dataclasses.fields(UsageProfile)}


def _table(source: str, key: str, value: Any) -> dict[str, float]:
    if key == "client_geo" and isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                                              for v in value.values()):
        raise ConfigError([(f"{source}: {key}", "must be a table of non-negative numbers",
                            f"write e.g. {key} = {{ api = 0.5, bff = 1.0 }}" if key == "request_share"
                            else 'write e.g. client_geo = { latin-america = 0.8, north-america = 0.2 }')])
    if key == "client_geo":
        unknown = sorted(set(value) - set(CLIENT_GEOS))
        if unknown:
            raise ConfigError([(f"{source}: {key}", f"{unknown[0]!r} is not a known client geography",
                                f"use one of: {', '.join(CLIENT_GEOS)}")])
        total = sum(value.values())
        if abs(total - 1) > 1e-9:
            raise ConfigError([(f"{source}: {key}", f"shares add up to {total:g}, not 1", "make the shares sum to 1")])
    return {str(k): float(v) for k, v in value.items()}


def _coerce(source: str, key: str, value: Any) -> Any:
    if key not in _FIELDS:
        raise ConfigError([(f"{source}: {key}", "is not a usage key", f"use one of: {', '.join(_FIELDS)}")])
    if key in _TABLES:
        return _table(source, key, value)
    if key in _NAMES:
        if not isinstance(value, str) or not value:
            raise ConfigError([(f"{source}: {key}", f"must be a service name, got {value!r}",
                                'write e.g. websocket_service = "api"')])
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError([(f"{source}: {key}", f"must be a non-negative number, got {value!r}", "fix the value")])
    if key.endswith("_ratio") and value > 1:
        raise ConfigError([(f"{source}: {key}", f"is a ratio between 0 and 1, got {value!r}", "fix the value")])
    if key == "websocket_hours_per_month" and value > 744:
        raise ConfigError([(f"{source}: {key}", f"a month has at most 744 hours, got {value!r}", "fix the value")])
    return float(value)


def apply_overrides(profile: UsageProfile, overrides: dict[str, Any], source: str) -> UsageProfile:
    return dataclasses.replace(profile, **{k: _coerce(source, k, v) for k, v in overrides.items()})


def check_overrides(overrides: dict[str, dict[str, Any]]) -> None:
    """Raise ConfigError for the first `[usage.<phase>]` value of pvctl.toml the estimator cannot use."""
    for phase, values in overrides.items():
        apply_overrides(UsageProfile(), values, f"pvctl.toml [usage.{phase}]")


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
    """The phase's profile. Another commit's phases.toml (a base branch, for a Δ) may carry keys
    an older estimator used: they are dropped, so that commit is priced with today's model."""
    from pvctl.core.phases import get_phase

    usage = dict(get_phase(phase, phases_file).usage)
    if phases_file is not None:
        usage = {k: v for k, v in usage.items() if k in _FIELDS}
    return apply_overrides(UsageProfile(), usage, f"phases.toml [{phase}.usage]")


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
