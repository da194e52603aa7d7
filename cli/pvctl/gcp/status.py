"""`pvctl status`: everything live about one phase, with partial results when an API fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pvctl.engine.saved_plan import read_applied
from pvctl.gcp.calls import CallPolicy, GcpError
from pvctl.gcp.drift import drift_notes, services_in
from pvctl.gcp.edge import EdgeStatus, edge_status
from pvctl.gcp.services import ServiceStatus, get_service, service_status

SERVICE_TABLES = ("api", "bff", "webhooks")  # phases.toml tables that are Cloud Run services


NO_APPLY_RECORDED = "no live apply recorded on this machine: drift not checked"


@dataclass
class PhaseStatus:
    phase: str
    project: str
    region: str
    prefix: str
    services: list[ServiceStatus] = field(default_factory=list)
    edge: EdgeStatus | None = None
    drift: list[str] = field(default_factory=list)
    drift_checked: bool = False      # compared with the record of the last live apply
    drift_note: str = ""             # why drift was not checked ("" when it was)
    applied_record: str = ""         # the record compared with (.pvctl/<phase>/applied.json)
    applied_at: str = ""             # when that apply ran
    plan_file: str = ""              # the saved plan that apply applied
    failures: list[str] = field(default_factory=list)  # what could not be read, one line each

    @property
    def complete(self) -> bool:
        return not self.failures


def service_names(tables: dict[str, Any], prefix: str) -> list[str]:
    return [f"{prefix}-{table}" for table in SERVICE_TABLES if table in tables]


def phase_status(clients: Any, phase: str, tables: dict[str, Any], project: str, region: str, prefix: str,
                 applied: Path | None, images_by_ci: bool, policy: CallPolicy) -> PhaseStatus:
    """Read services, load balancer and drift; a failing part is recorded and the rest still shown.

    `applied` is the phase's record of its last live apply (`saved_plan.applied_of`); drift is
    checked against it only, never against a saved plan that may not have been applied.
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
    _check_drift(status, applied, images_by_ci)
    return status


def _check_drift(status: PhaseStatus, applied: Path | None, images_by_ci: bool) -> None:
    try:
        record = read_applied(applied) if applied is not None else None
    except (OSError, ValueError) as exc:
        status.drift_note = "the record of the last live apply is unreadable: drift not checked"
        status.failures.append(f"{applied}: unreadable record of the last live apply ({exc}) — delete it; "
                               f"the next live `pvctl apply --phase {status.phase}` writes it again")
        return
    if record is None:
        status.drift_note = NO_APPLY_RECORDED
        return
    if record.project_id != status.project or record.phase != status.phase:
        status.drift_note = (f"the last live apply recorded on this machine ({record.applied_at}) was phase {record.phase} "
                             f"of project {record.project_id}, not phase {status.phase} of {status.project}: ignored, drift not checked")
        return
    status.drift_checked = True
    status.applied_record, status.applied_at, status.plan_file = str(applied), record.applied_at, record.plan_file
    if record.destroy:
        status.drift = [f"{s.name}: running, but the last live apply destroyed phase {status.phase}"
                        for s in status.services if s.found]
    else:
        status.drift = drift_notes(services_in(record.plan), status.services, images_by_ci)
