"""Secret values in Secret Manager: added as versions, never in Terraform, never printed.

Terraform creates the containers (`<prefix>-<name>`) and grants access; pvctl adds the
values. A value is only ever held in memory between the prompt/stdin and the
AddSecretVersion request; the only read is `access_latest`, for handing the database
password to Terraform as an ephemeral input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pvctl.core.errors import ConfigError
from pvctl.gcp.calls import CallPolicy, GcpError, api_call

# The client libraries log request payloads at DEBUG (GOOGLE_SDK_PYTHON_LOGGING_SCOPE or a
# debug root logger); an AddSecretVersion payload is the secret itself.
_CLIENT_LOGGERS = ("google.cloud.secretmanager_v1", "google.cloud.secretmanager", "google.api_core")


@contextmanager
def _payload_logging_off() -> Iterator[None]:
    # Any logger below these, too: the payload is logged by the transport module's own logger.
    names = set(_CLIENT_LOGGERS) | {n for n in logging.root.manager.loggerDict if n.startswith(_CLIENT_LOGGERS)}
    loggers = [logging.getLogger(name) for name in sorted(names)]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(max(lg.getEffectiveLevel(), logging.INFO))
    try:
        yield
    finally:
        for lg, level in saved:
            lg.setLevel(level)


@dataclass(frozen=True)
class SecretState:
    name: str                 # short name, as in phases.toml
    secret_id: str            # <prefix>-<name>
    exists: bool
    enabled_versions: list[str]
    disabled_versions: list[str]
    latest_enabled_created: str = ""

    @property
    def ready(self) -> bool:
        return self.exists and bool(self.enabled_versions)


def secret_id(prefix: str, name: str) -> str:
    return f"{prefix}-{name}"


def check_name(name: str, known: list[str]) -> None:
    if name not in known:
        raise ConfigError([("NAME", f"{name!r} is not a secret of this project",
                            f"use one of: {', '.join(known)} (phases.toml secrets.names)")])


# The admin user's password policy in modules/cloudsql (password_validation_policy): at least 16
# characters, COMPLEXITY_DEFAULT (lower- and upper-case letters, digits and symbols), not holding
# the user name (https://cloud.google.com/sql/docs/postgres/users#password-policy).
DB_PASSWORD_SECRET = "db-admin-password"
DB_ADMIN_USER = "pvadmin"
DB_PASSWORD_MIN_LENGTH = 16


def value_problem(name: str, value: bytes) -> tuple[str, str] | None:
    """Why `value` cannot be the new version of secret `name` (never quoting the value), or None."""
    if not value:
        return f"empty value for {name}", "pipe the value on stdin or type it at the prompt"
    if name != DB_PASSWORD_SECRET:
        return None  # other secrets are opaque bytes to pvctl (tokens, keys)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return "the value is not UTF-8 text", "Cloud SQL passwords are text: pipe or type a text password"
    classes = [any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text),
               any(not c.isalnum() for c in text)]
    if len(text) < DB_PASSWORD_MIN_LENGTH:
        return (f"the value has {len(text)} characters; the database password policy needs at least {DB_PASSWORD_MIN_LENGTH}",
                "use a longer password, e.g. from a password manager")
    if not all(classes):
        return ("the value does not mix lower- and upper-case letters, digits and symbols (the database password policy)",
                "use a password with all four kinds of characters")
    if DB_ADMIN_USER in text.lower():
        return f"the value contains the user name {DB_ADMIN_USER}", "choose a password without it"
    if any(not c.isprintable() for c in text):
        return "the value holds control characters", "use printable characters only"
    return None


def _version_number(version_name: str) -> int:
    return int(version_name.rsplit("/", 1)[-1])


def secret_state(clients: Any, project: str, prefix: str, name: str, policy: CallPolicy) -> SecretState:
    from google.api_core import exceptions as gx
    from google.cloud import secretmanager_v1

    sid = secret_id(prefix, name)
    enabled_state = secretmanager_v1.SecretVersion.State.ENABLED
    disabled_state = secretmanager_v1.SecretVersion.State.DISABLED
    with api_call(f"versions of secret {sid}", policy) as kw:
        try:
            versions = list(clients.secrets().list_secret_versions(parent=f"projects/{project}/secrets/{sid}", **kw))
        except gx.NotFound:
            return SecretState(name, sid, False, [], [])
    versions.sort(key=lambda v: _version_number(v.name), reverse=True)
    enabled = [v for v in versions if v.state == enabled_state]
    return SecretState(
        name, sid, True, [str(_version_number(v.name)) for v in enabled],
        [str(_version_number(v.name)) for v in versions if v.state == disabled_state],
        enabled[0].create_time.isoformat() if enabled and enabled[0].create_time else "")


def list_secrets(clients: Any, project: str, prefix: str, names: list[str], policy: CallPolicy) -> list[SecretState]:
    return [secret_state(clients, project, prefix, name, policy) for name in names]


def missing_secrets(project: str, prefix: str, names: list[str], clients: Any = None,
                    policy: CallPolicy | None = None) -> list[str]:
    """Names (as in phases.toml) whose secret is absent or has no enabled version.

    Call before a live apply. Raises GcpError when Secret Manager cannot be asked
    (credentials, permission, outage): "unknown" must not pass as "present".
    """
    if clients is None:
        from pvctl.gcp.clients import GcpClients

        clients = GcpClients.from_env()
    policy = policy or clients.policy
    return [s.name for s in list_secrets(clients, project, prefix, names, policy) if not s.ready]


def add_version(clients: Any, project: str, prefix: str, name: str, value: bytes, policy: CallPolicy) -> str:
    """Add `value` as the newest version; returns its version number."""
    from google.api_core import exceptions as gx
    from google.cloud import secretmanager_v1

    sid = secret_id(prefix, name)
    request = secretmanager_v1.AddSecretVersionRequest(
        parent=f"projects/{project}/secrets/{sid}",
        payload=secretmanager_v1.SecretPayload(data=value, data_crc32c=crc32c(value)))
    # Not retried: a lost reply would add the value twice; a second `set` is harmless and explicit.
    with _payload_logging_off(), api_call(f"adding a version to secret {sid}", policy) as kw:
        try:
            version = clients.secrets().add_secret_version(request=request, retry=None, timeout=kw["timeout"])
        except gx.NotFound:
            raise GcpError(f"secret {sid} does not exist in project {project}",
                           "apply the phase first: Terraform creates the secret containers", "not_found") from None
    return str(_version_number(version.name))


def access_latest(clients: Any, project: str, prefix: str, name: str, policy: CallPolicy) -> str:
    """The newest enabled value, for a process that must hand it on (TF_VAR_db_admin_password on a
    live apply). The caller keeps it in memory only; it is checked against its CRC-32C."""
    from google.api_core import exceptions as gx

    sid = secret_id(prefix, name)
    with _payload_logging_off(), api_call(f"reading secret {sid}", policy) as kw:
        try:
            response = clients.secrets().access_secret_version(name=f"projects/{project}/secrets/{sid}/versions/latest", **kw)
        except (gx.NotFound, gx.FailedPrecondition):
            # NotFound: no secret or no version; FailedPrecondition: the latest version is disabled.
            raise GcpError(f"secret {sid} has no enabled version", f"pvctl secrets set {name}", "not_found") from None
    data = response.payload.data
    if "data_crc32c" in response.payload and response.payload.data_crc32c != crc32c(data):
        raise GcpError(f"secret {sid}: the value arrived corrupted (checksum mismatch)", "try again", "failed")
    return data.decode("utf-8")


def disable_versions(clients: Any, project: str, prefix: str, name: str, versions: list[str], policy: CallPolicy) -> None:
    sid = secret_id(prefix, name)
    for number in versions:
        with api_call(f"disabling version {number} of secret {sid}", policy) as kw:
            clients.secrets().disable_secret_version(name=f"projects/{project}/secrets/{sid}/versions/{number}", **kw)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), which Secret Manager checks the payload against."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
