"""One policy for every Google API call: per-attempt timeout, retries with backoff, and
exceptions turned into one-line `GcpError`s that say what failed and how to fix it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pvctl.core.errors import ExitCode, ToolError

if TYPE_CHECKING:
    from google.api_core.retry import Retry

log = logging.getLogger("pvctl.gcp")

LOGIN_FIX = ("run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
             "to a service-account key file")

# gRPC reports a failing token refresh as UNAVAILABLE with this text; retrying cannot help.
_PLUGIN_FAILURE = "Getting metadata from plugin failed"
_PERMISSION_RES = (
    re.compile(r"Permission '([\w.]+)' denied"),
    re.compile(r"Required '([\w.]+)' permission"),
    re.compile(r"permission[s]? ['\"]?([a-z]+\.[\w.]+)", re.IGNORECASE),
)


class GcpError(ToolError):
    """A Google API call failed; `kind` lets status report partial results by cause."""

    def __init__(self, what: str, fix: str | None, kind: str, permission: str | None = None) -> None:
        self.kind = kind  # credentials | permission | unavailable | timeout | not_found | failed
        self.permission = permission
        super().__init__(what, fix)
        if kind == "credentials":  # the same cause as `pvctl apply` without credentials: a configuration error
            self.exit_code = ExitCode.CONFIG


@dataclass(frozen=True)
class CallPolicy:
    """Seconds per attempt, seconds across all attempts, the backoff between them, and how
    long-running operations (a deploy) are awaited."""

    attempt_timeout: float = 20.0
    total_timeout: float = 60.0
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    poll_interval: float = 2.0
    operation_timeout: float = 900.0

    def polling(self) -> Retry:
        from google.api_core.future.polling import DEFAULT_POLLING

        return DEFAULT_POLLING.with_delay(initial=self.poll_interval, maximum=max(self.poll_interval, 10.0)) \
            .with_timeout(self.operation_timeout)


@dataclass
class _Attempts:
    transient_failures: int = 0

    def failed(self, exc: Exception) -> None:
        # Retry calls this for every transient failure, the last one before giving up included.
        self.transient_failures += 1
        log.debug("transient error (%s) on attempt %d", type(exc).__name__, self.transient_failures)

    def total(self, final: Exception) -> int:
        from google.api_core import exceptions as gx

        cause = final.cause if isinstance(final, gx.RetryError) and final.cause is not None else final
        return self.transient_failures if is_transient(cause) and self.transient_failures else self.transient_failures + 1


def is_transient(exc: Exception) -> bool:
    from google.api_core import exceptions as gx
    from requests import exceptions as rx

    if isinstance(exc, gx.ServiceUnavailable) and _PLUGIN_FAILURE in str(exc):
        return False
    return isinstance(exc, (gx.ServiceUnavailable, gx.DeadlineExceeded, gx.TooManyRequests, gx.InternalServerError,
                            gx.BadGateway, rx.ConnectionError, rx.Timeout))


@contextmanager
def api_call(what: str, policy: CallPolicy) -> Iterator[dict[str, Any]]:
    """Yield the `retry=`/`timeout=` keywords for one client call; translate what it raises.

    Pagers fetch further pages lazily with the same keywords, so consume them inside the block.
    """
    from google.api_core.retry import Retry

    attempts = _Attempts()
    retry = Retry(predicate=is_transient, initial=policy.initial_backoff, maximum=policy.max_backoff,
                  multiplier=2.0, timeout=policy.total_timeout, on_error=attempts.failed)
    try:
        yield {"retry": retry, "timeout": policy.attempt_timeout}
    except GcpError:
        raise
    except Exception as exc:  # noqa: BLE001 — every failure of a Google call becomes one line
        translated = translate(exc, what, policy, attempts.total(exc))
        if translated is None:
            raise
        raise translated from None


def translate(exc: Exception, what: str, policy: CallPolicy, attempts: int = 1) -> GcpError | None:
    from google.api_core import exceptions as gx
    from google.auth import exceptions as ax
    from requests import exceptions as rx

    if isinstance(exc, gx.RetryError) and exc.cause is not None:
        exc = exc.cause
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, ax.DefaultCredentialsError):
        return GcpError(f"{what}: no Google credentials found", LOGIN_FIX, "credentials")
    if isinstance(exc, ax.RefreshError) or (isinstance(exc, gx.ServiceUnavailable) and _PLUGIN_FAILURE in str(exc)):
        return GcpError(f"{what}: Google credentials are expired or revoked", LOGIN_FIX, "credentials")
    if isinstance(exc, gx.Unauthenticated):
        return GcpError(f"{what}: Google rejected the credentials ({_message(exc)})", LOGIN_FIX, "credentials")
    if isinstance(exc, gx.Forbidden) and getattr(exc, "reason", None) == "SERVICE_DISABLED":
        api = (getattr(exc, "metadata", None) or {}).get("service", "the API")
        return GcpError(f"{what}: {api} is not enabled in the project", f"gcloud services enable {api}", "permission")
    if isinstance(exc, gx.Forbidden):  # PermissionDenied (gRPC) is a Forbidden (REST 403)
        permission = missing_permission(exc)
        named = f"permission '{permission}' denied" if permission else f"permission denied ({_message(exc)})"
        fix = (f"grant your account a role that includes {permission}" if permission
               else "grant your account the role this command needs on the project")
        return GcpError(f"{what}: {named}", fix, "permission", permission)
    if isinstance(exc, (gx.DeadlineExceeded, rx.Timeout)):
        return GcpError(f"{what}: no answer within {policy.attempt_timeout:g}s{tries}",
                        "check the network (or status.cloud.google.com) and try again", "timeout")
    if is_transient(exc):
        return GcpError(f"{what}: the Google API is unavailable ({_message(exc)}){tries}",
                        "try again in a minute; see status.cloud.google.com if it persists", "unavailable")
    if isinstance(exc, gx.NotFound):
        return GcpError(f"{what}: not found ({_message(exc)})", "check the project, region and name_prefix in pvctl.toml, "
                        "and that the phase was applied", "not_found")
    if isinstance(exc, gx.GoogleAPICallError):
        return GcpError(f"{what}: {_message(exc)}", None, "failed")
    return None


def missing_permission(exc: Exception) -> str | None:
    """The IAM permission named by a denial: ErrorInfo metadata first, then the message text."""
    for detail in getattr(exc, "details", None) or []:
        metadata = getattr(detail, "metadata", None)
        if metadata and metadata.get("permission"):
            return str(metadata["permission"])
    text = str(getattr(exc, "message", "") or exc)
    for pattern in _PERMISSION_RES:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc).splitlines()[0]
