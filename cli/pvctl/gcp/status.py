"""`pvctl status`: everything live about one phase, with partial results when an API fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pvctl.gcp.calls import CallPolicy, GcpError
from pvctl.gcp.drift import drift_notes, planned_services
from pvctl.gcp.edge import EdgeStatus, edge_status
from pvctl.gcp.services import ServiceStatus, get_service, service_status

SERVICE_TABLES = ("api", "bff", "webhooks")  # phases.toml tables that are Cloud Run services


@dataclass
class PhaseStatus:
    phase: str
    project: str
    region: str
    prefix: str
    services: list[ServiceStatus] = field(default_factory=list)
    edge: EdgeStatus | None = None
    drift: list[str] = field(default_factory=list)
    plan_file: str = ""              # the plan compared with, "" when there was none
    failures: list[str] = field(default_factory=list)  # what could not be read, one line each

    @property
    def complete(self) -> bool:
        return not self.failures


def service_names(tables: dict[str, Any], prefix: str) -> list[str]:
    return [f"{prefix}-{table}" for table in SERVICE_TABLES if table in tables]


def phase_status(clients: Any, phase: str, tables: dict[str, Any], project: str, region: str, prefix: str,
                 plan_json: Path | None, images_by_ci: bool, policy: CallPolicy) -> PhaseStatus:
    """Read services, load balancer and drift; a failing part is recorded and the rest still shown.

    Missing or expired credentials stop everything: every later call would fail the same way.
    """
    status = PhaseStatus(phase, project, region, prefix)
    for name in service_names(tables, prefix):
        try:
            status.services.append(service_status(get_service(clients, project, region, name, policy), name))
        except GcpError as exc:
            if exc.kind == "credentials":
                raise
            status.failures.append(exc.line())
    try:
        status.edge = edge_status(clients, project, prefix, policy)
    except GcpError as exc:
        if exc.kind == "credentials":
            raise
        status.failures.append(exc.line())
    if plan_json is not None and plan_json.is_file():
        status.plan_file = str(plan_json)
        try:
            planned = planned_services(plan_json)
        except (OSError, ValueError) as exc:
            status.failures.append(f"{plan_json}: unreadable plan JSON ({exc}) — run `pvctl plan --phase {phase}` again")
        else:
            status.drift = drift_notes(planned, status.services, images_by_ci)
    return status
