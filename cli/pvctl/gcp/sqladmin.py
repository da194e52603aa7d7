"""Cloud SQL Admin API v1 (REST, through google-api-python-client): calls under pvctl's call policy,
and the long-running operations they start, awaited.

The discovery client raises its own `HttpError` and socket errors; they become google.api_core
exceptions here so `calls.api_call` retries and words them like every other Google call.
Requests that create something (POST) are sent once: a retried insert could meet its own
first attempt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pvctl.gcp.calls import CallPolicy, GcpError, api_call

Json = dict[str, Any]


def primary_name(prefix: str) -> str:
    """The phase's Cloud SQL instance (modules/cloudsql names it so)."""
    return f"{prefix}-pg"


def _as_api_core(exc: Exception) -> Exception:
    import json

    import httplib2
    from google.api_core import exceptions as gx
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        try:
            error = json.loads(exc.content.decode("utf-8", "replace")).get("error", {})
        except ValueError:
            error = {}
        details = error.get("details", []) if isinstance(error, dict) else []
        info = next((d for d in details if d.get("@type", "").endswith("google.rpc.ErrorInfo")), None)
        message = error.get("message") if isinstance(error, dict) else None
        return gx.from_http_status(
            exc.status_code,
            message or exc.reason or f"HTTP {exc.status_code}",
            errors=error.get("errors", ()),
            details=details,
            error_info=info,
        )
    if isinstance(exc, TimeoutError):
        return gx.DeadlineExceeded(f"no answer ({exc})")
    if isinstance(exc, (OSError, httplib2.HttpLib2Error)):
        return gx.ServiceUnavailable(f"cannot connect ({exc})")
    return exc


def _execute(request: Any) -> Json:
    try:
        return request.execute(num_retries=0)
    except Exception as exc:  # noqa: BLE001 — translated into the exception family the call policy knows
        converted = _as_api_core(exc)
        if converted is exc:
            raise
        raise converted from None


class Busy(GcpError):
    """409: another operation is running on the instance."""


def call(what: str, policy: CallPolicy, request: Any, *, retry: bool = True) -> Json:
    from google.api_core import exceptions as gx

    with api_call(what, policy) as kw:
        try:
            return kw["retry"](_execute)(request) if retry else _execute(request)
        except gx.Conflict as exc:
            raise Busy(f"{what}: {exc.message}", "wait for the running operation, then try again", "failed") from None


def get_instance(clients: Any, project: str, name: str, policy: CallPolicy) -> Json | None:
    """The instance, or None when it does not exist."""
    from google.api_core import exceptions as gx

    with api_call(f"Cloud SQL instance {name}", policy) as kw:
        try:
            return kw["retry"](_execute)(clients.sqladmin().instances().get(project=project, instance=name))
        except gx.NotFound:
            return None


def list_instances(clients: Any, project: str, policy: CallPolicy) -> list[Json]:
    items: list[Json] = []
    token = None
    while True:
        page = call(
            f"Cloud SQL instances of {project}",
            policy,
            clients.sqladmin().instances().list(project=project, pageToken=token),
        )
        items.extend(page.get("items", []))
        token = page.get("nextPageToken")
        if not token:
            return items


def private_ip(instance: Json) -> str:
    return next((a["ipAddress"] for a in instance.get("ipAddresses", []) if a.get("type") == "PRIVATE"), "")


def wait(
    clients: Any,
    project: str,
    operation: Json,
    what: str,
    policy: CallPolicy,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Json:
    """Poll a Cloud SQL operation until DONE; its error becomes a GcpError."""
    deadline = clock() + policy.operation_timeout
    while operation.get("status") != "DONE":
        if clock() > deadline:
            raise GcpError(
                f"{what}: still running after {policy.operation_timeout:g}s (operation {operation.get('name')})",
                f"follow it with `gcloud sql operations describe {operation.get('name')} --project {project}`",
                "timeout",
            )
        sleep(policy.poll_interval)
        operation = call(
            f"{what} (operation)",
            policy,
            clients.sqladmin().operations().get(project=project, operation=operation["name"]),
        )
    errors = operation.get("error", {}).get("errors", [])
    if errors:
        detail = "; ".join(e.get("message") or e.get("code", "") for e in errors)
        raise GcpError(f"{what}: {detail}", None, "failed")
    return operation
