"""New Cloud Run revisions and their traffic: deploy (optionally as a canary), promote, roll back.

Every step is one UpdateService call (a long-running operation) carrying the whole
traffic split, so the service is never left half-moved. The service's etag rides along:
if someone changed it since we read it, Cloud Run refuses instead of overwriting.
"""

from __future__ import annotations

import secrets as _random
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pvctl.gcp.calls import CallPolicy, GcpError, api_call
from pvctl.gcp.services import TrafficShare, get_service, list_revisions, service_status, short

SERVICES = ("api", "bff", "webhooks")
ALIASES = {"app": "api"}  # mvp/growth run one service: the whole site is the API service


@dataclass(frozen=True)
class DeployResult:
    service: str
    action: str                    # deploy | canary | promote | rollback
    revision: str                  # the revision this step put traffic on
    image: str
    traffic: list[TrafficShare]
    url: str


def service_name(prefix: str, service: str) -> str:
    service = ALIASES.get(service, service)
    if service not in SERVICES:
        from pvctl.core.errors import ConfigError

        raise ConfigError([("--service", f"unknown service {service!r}", f"use one of: {', '.join(SERVICES + tuple(ALIASES))}")])
    return f"{prefix}-{service}"


def _existing(clients: Any, project: str, region: str, name: str, policy: CallPolicy) -> Any:
    service = get_service(clients, project, region, name, policy)
    if service is None:
        raise GcpError(f"Cloud Run service {name} does not exist in {project}/{region}",
                       "apply the phase first: Terraform creates the services, deploys change their revisions", "not_found")
    return service


def _revision_target(revision: str, percent: int) -> Any:
    from google.cloud import run_v2

    return run_v2.TrafficTarget(type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
                                revision=revision, percent=percent)


def _latest_target() -> Any:
    from google.cloud import run_v2

    return run_v2.TrafficTarget(type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=100)


def _update(clients: Any, service: Any, what: str, policy: CallPolicy) -> Any:
    from concurrent.futures import TimeoutError as FutureTimeout

    with api_call(what, policy) as kw:
        operation = clients.services().update_service(service=service, **kw)
        try:
            return operation.result(polling=policy.polling())
        except FutureTimeout:
            raise GcpError(f"{what}: still running after {policy.operation_timeout:g}s",
                           "check `pvctl status` in a few minutes; the operation continues in Cloud Run", "timeout") from None


def _result(updated: Any, name: str, action: str, revision: str) -> DeployResult:
    status = service_status(updated, name)
    return DeployResult(name, action, revision, status.image, status.traffic, status.url)


def new_revision_name(name: str, now: datetime | None = None) -> str:
    # Cloud Run requires "<service>-" in front; time + random keeps two deploys in one second apart.
    now = now or datetime.now(UTC)
    return f"{name}-{now:%Y%m%d-%H%M%S}-{_random.token_hex(2)}"


def deploy(clients: Any, project: str, region: str, name: str, image: str, canary_percent: int | None,
           policy: CallPolicy) -> DeployResult:
    """A new revision running `image`; with canary_percent it gets that share, the previous ready revision the rest."""
    if canary_percent is not None and not 1 <= canary_percent <= 99:
        from pvctl.core.errors import ConfigError

        raise ConfigError([("--canary", f"{canary_percent} is not a percentage between 1 and 99",
                            "give the share of traffic for the new revision, e.g. --canary 10")])
    service = _existing(clients, project, region, name, policy)
    previous = short(service.latest_ready_revision)
    if canary_percent is not None and not previous:
        raise GcpError(f"{name} has no ready revision to keep {100 - canary_percent}% of the traffic on",
                       "deploy without --canary first", "failed")
    revision = new_revision_name(name)
    service.template.revision = revision
    service.template.containers[0].image = image
    del service.traffic[:]
    if canary_percent is None:
        service.traffic.append(_latest_target())
    else:
        service.traffic.extend([_revision_target(revision, canary_percent), _revision_target(previous, 100 - canary_percent)])
    updated = _update(clients, service, f"deploying {image} to {name}", policy)
    return _result(updated, name, "deploy" if canary_percent is None else "canary", revision)


def promote(clients: Any, project: str, region: str, name: str, policy: CallPolicy,
            expected: str | None = None) -> DeployResult:
    """All traffic to the latest revision (and to every later deploy); with `expected`, only if that is the latest."""
    service = _existing(clients, project, region, name, policy)
    latest = short(service.latest_created_revision)
    if expected and latest != expected:
        raise GcpError(f"{name}: {latest} was deployed while {expected} was watched; traffic left as it is",
                       "decide by hand: pvctl deploy --promote or --rollback", "failed")
    if latest != short(service.latest_ready_revision):
        raise GcpError(f"{name}: the latest revision {latest} is not ready",
                       "look at its logs, then deploy a fixed image or use --rollback", "failed")
    del service.traffic[:]
    service.traffic.append(_latest_target())
    updated = _update(clients, service, f"promoting {latest} on {name}", policy)
    return _result(updated, name, "promote", latest)


def rollback_target(service: Any, revisions: list[Any]) -> str | None:
    """The revision to go back to: the one the canary shares traffic with, else the newest
    ready revision before the latest."""
    from google.cloud import run_v2

    latest = short(service.latest_created_revision)
    pinned = [t for t in (list(service.traffic_statuses) or list(service.traffic))
              if t.type_ == run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
              and t.percent and short(t.revision) != latest]
    if pinned:
        return short(max(pinned, key=lambda t: t.percent).revision)
    succeeded = run_v2.Condition.State.CONDITION_SUCCEEDED
    for revision in revisions:  # newest first
        ready = any(c.type_ == "Ready" and c.state == succeeded for c in revision.conditions)
        if ready and short(revision.name) != latest:
            return short(revision.name)
    return None


def rollback(clients: Any, project: str, region: str, name: str, policy: CallPolicy) -> DeployResult:
    """All traffic back to the previous revision; later deploys without --canary move it forward again."""
    service = _existing(clients, project, region, name, policy)
    revisions = list_revisions(clients, project, region, name, policy)
    target = rollback_target(service, revisions)
    if target is None:
        raise GcpError(f"{name}: no earlier ready revision to roll back to", "deploy a known good image instead", "failed")
    del service.traffic[:]
    service.traffic.append(_revision_target(target, 100))
    updated = _update(clients, service, f"rolling {name} back to {target}", policy)
    result = _result(updated, name, "rollback", target)
    # The service template keeps the newest image; what serves now is the target revision's.
    image = _image_of(revisions, target)
    return replace(result, image=image) if image else result


def _image_of(revisions: list[Any], revision: str) -> str | None:
    return next((r.containers[0].image for r in revisions if short(r.name) == revision and r.containers), None)


def _most_served_image(clients: Any, project: str, region: str, name: str, service: Any,
                       policy: CallPolicy) -> str | None:
    """The image of the revision with the largest share of traffic (not the template's, which is a canary's
    while one is watched)."""
    shares = [t for t in service.traffic_statuses if t.percent]
    if not shares:
        return None
    top = max(shares, key=lambda t: t.percent)
    revision = short(top.revision) if top.revision else short(service.latest_ready_revision)
    return _image_of(list_revisions(clients, project, region, name, policy), revision)


def set_env(clients: Any, project: str, region: str, name: str, variable: str, value: str,
            policy: CallPolicy) -> DeployResult | None:
    """A new revision of `name` with `variable` set to `value`, running the image most of the traffic
    was on, taking all traffic; None when the service does not exist or does not read that variable."""
    service = get_service(clients, project, region, name, policy)
    if service is None:
        return None
    container = service.template.containers[0]
    entries = [e for e in container.env if e.name == variable]
    if not entries:
        return None
    entries[0].value = value
    container.image = _most_served_image(clients, project, region, name, service, policy) or container.image
    revision = new_revision_name(name)
    service.template.revision = revision
    del service.traffic[:]
    service.traffic.append(_latest_target())
    updated = _update(clients, service, f"setting {variable} on {name}", policy)
    return _result(updated, name, "deploy", revision)
