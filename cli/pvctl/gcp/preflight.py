"""Before a live apply: every secret the phase references has a value, and the admin password is at hand.

Cloud Run cannot start a revision whose `secret_key_ref` points at a secret without an
enabled version, and Terraform would only find out after minutes of waiting; asking
Secret Manager first turns that into one line naming the secrets and the command to run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pvctl.core.errors import ConfigError, GuardRefusal
from pvctl.gcp.secrets import DB_PASSWORD_SECRET, access_latest, list_secrets, secret_id

if TYPE_CHECKING:
    from pvctl.gcp.clients import GcpClients

ENV_DB_PASSWORD = "PVCTL_DB_ADMIN_PASSWORD"


def phase_secret_names(
    phase: str | None, overrides: Mapping[str, Any] | None = None, phases_file: Path | None = None
) -> list[str]:
    """Secret names of one phase (all phases when None) as Terraform gets them: phases.toml's
    `secrets.names` with pvctl.toml's `[phases.<phase>.secrets]` override applied."""
    from pvctl.core.phases import effective_tables, get_phase, load_phases

    phases = [get_phase(phase, phases_file)] if phase else list(load_phases(phases_file).values())
    names: list[str] = []
    for p in phases:
        effective = effective_tables(p, overrides or {}).get("secrets", {})
        names += [n for n in effective.get("names", []) if n not in names]
    return names


def required_secret_names(phase: str, overrides: Mapping[str, Any], env: Mapping[str, str] | None = None) -> list[str]:
    """The secrets a live apply of the phase needs values for. The admin password is read by no
    service: it is needed only when it is not exported (`db_admin_password`)."""
    env = os.environ if env is None else env
    names = phase_secret_names(phase, overrides)
    return [n for n in names if not (n == DB_PASSWORD_SECRET and env.get(ENV_DB_PASSWORD))]


def require_secret_values(clients: Any, project: str, prefix: str, phase: str, overrides: Mapping[str, Any]) -> None:
    """Refuse (exit 3) when a secret the apply needs is missing or has no enabled version."""
    unready = [s for s in list_secrets(clients, project, prefix, required_secret_names(phase, overrides), clients.policy)
               if not s.ready]
    absent = [s.secret_id for s in unready if not s.exists]
    empty = [s for s in unready if s.exists]
    if absent:
        raise GuardRefusal(
            f"phase {phase}: secrets not created yet: {', '.join(absent)}",
            f"create them with `pvctl secrets init --phase {phase}`, add values with `pvctl secrets set NAME`, then apply again",
        )
    if empty:
        raise GuardRefusal(
            f"phase {phase}: secrets without an enabled version: {', '.join(s.secret_id for s in empty)}",
            "; ".join(f"pvctl secrets set {s.name}" for s in empty) + " — then apply again",
        )


def db_admin_password(
    clients_factory: Callable[[], GcpClients], project: str, prefix: str, env: Mapping[str, str] | None = None,
) -> str:
    """PVCTL_DB_ADMIN_PASSWORD when set, else the newest value of the `db-admin-password` secret.

    `clients_factory` builds GcpClients only when Secret Manager must be asked, so an
    exported password needs no Google API call.
    """
    given: Mapping[str, str] = os.environ if env is None else env
    if given.get(ENV_DB_PASSWORD):
        return given[ENV_DB_PASSWORD]
    from pvctl.gcp.calls import GcpError

    clients = clients_factory()
    try:
        return access_latest(clients, project, prefix, DB_PASSWORD_SECRET, clients.policy)
    except GcpError as exc:
        if exc.kind != "not_found":
            raise
    raise ConfigError([(
        ENV_DB_PASSWORD,
        f"not set, and secret {secret_id(prefix, DB_PASSWORD_SECRET)} has no enabled version "
        "(the Cloud SQL admin password is an ephemeral Terraform input)",
        f"`pvctl secrets init` then `pvctl secrets set {DB_PASSWORD_SECRET}`, or export {ENV_DB_PASSWORD}=... "
        "(never written to the state or the plan)",
    )])
