"""Live Cloud Run services: what runs, at which URL, on which revisions, with which limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pvctl.gcp.calls import CallPolicy, api_call


@dataclass(frozen=True)
class TrafficShare:
    percent: int
    revision: str        # short revision name; for "latest" the revision it currently resolves to
    latest: bool         # follows the latest ready revision
    tag: str = ""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    found: bool
    url: str = ""
    ingress: str = ""
    image: str = ""
    latest_ready_revision: str = ""
    latest_created_revision: str = ""
    traffic: list[TrafficShare] = field(default_factory=list)
    min_instances: int | None = None
    max_instances: int | None = None
    last_deploy: str = ""          # RFC 3339 time of the last change
    last_modifier: str = ""
    ready: bool = False
    condition: str = ""            # why it is not ready, when it is not


def service_path(project: str, region: str, name: str) -> str:
    return f"projects/{project}/locations/{region}/services/{name}"


def short(resource_name: str) -> str:
    return resource_name.rsplit("/", 1)[-1]


def get_service(clients: Any, project: str, region: str, name: str, policy: CallPolicy) -> Any | None:
    """The run_v2.Service, or None when it does not exist (not deployed yet)."""
    from google.api_core import exceptions as gx

    with api_call(f"Cloud Run service {name}", policy) as kw:
        try:
            return clients.services().get_service(name=service_path(project, region, name), **kw)
        except gx.NotFound:
            return None


def service_status(service: Any, name: str) -> ServiceStatus:
    if service is None:
        return ServiceStatus(name=name, found=False)
    from google.cloud import run_v2

    latest_ready = short(service.latest_ready_revision)
    latest = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
    # traffic_statuses is what serves now; traffic is what was asked for (may still be rolling out).
    targets = list(service.traffic_statuses) or list(service.traffic)
    traffic = [TrafficShare(percent=t.percent, revision=(latest_ready if t.type_ == latest else short(t.revision)),
                            latest=t.type_ == latest, tag=t.tag) for t in targets if t.percent]
    scaling = service.template.scaling
    condition = service.terminal_condition
    ready = condition.state == run_v2.Condition.State.CONDITION_SUCCEEDED
    updated = service.update_time
    return ServiceStatus(
        name=name, found=True, url=service.uri, ingress=run_v2.IngressTraffic(service.ingress).name,
        image=service.template.containers[0].image if service.template.containers else "",
        latest_ready_revision=latest_ready, latest_created_revision=short(service.latest_created_revision),
        traffic=traffic, min_instances=scaling.min_instance_count, max_instances=scaling.max_instance_count,
        last_deploy=updated.isoformat() if updated else "", last_modifier=service.last_modifier,
        ready=ready, condition="" if ready else (condition.message or run_v2.Condition.State(condition.state).name),
    )


def list_revisions(clients: Any, project: str, region: str, name: str, policy: CallPolicy) -> list[Any]:
    """The service's revisions, newest first."""
    with api_call(f"revisions of Cloud Run service {name}", policy) as kw:
        revisions = list(clients.revisions().list_revisions(parent=service_path(project, region, name), **kw))
    return sorted(revisions, key=lambda r: r.create_time, reverse=True)
