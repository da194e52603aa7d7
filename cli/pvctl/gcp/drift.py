"""Drift notes: where running Cloud Run services differ from the last applied plan.

The plan JSON of the last live apply (`terraform show -json`, kept by `PhaseRun.apply` in
`.pvctl/<phase>/applied.json`) says what Terraform made the services; status compares the
values people change by hand or by CI deploys: image, min/max instances, ingress.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pvctl.gcp.services import ServiceStatus

RUN_TYPE = "google_cloud_run_v2_service"


@dataclass(frozen=True)
class PlannedService:
    name: str
    image: str | None            # None: unknown at plan time, or not managed by Terraform
    min_instances: int | None
    max_instances: int | None
    ingress: str | None


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def _first(values: Any) -> dict[str, Any]:
    return values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else {}


def services_in(plan: dict[str, Any]) -> dict[str, PlannedService]:
    """Cloud Run services in a plan's planned values, by service name; {} when the plan has none."""
    found: dict[str, PlannedService] = {}
    for resource in _resources(plan.get("planned_values", {}).get("root_module", {})):
        if resource.get("type") != RUN_TYPE or resource.get("mode", "managed") != "managed":
            continue
        values = resource.get("values") or {}
        template = _first(values.get("template"))
        container = _first(template.get("containers"))
        scaling = _first(template.get("scaling"))
        if not values.get("name"):
            continue
        found[values["name"]] = PlannedService(
            name=values["name"], image=container.get("image") or None,
            min_instances=scaling.get("min_instance_count"), max_instances=scaling.get("max_instance_count"),
            ingress=values.get("ingress") or None)
    return found


def drift_notes(planned: dict[str, PlannedService], live: list[ServiceStatus], images_by_ci: bool) -> list[str]:
    notes = []
    by_name = {s.name: s for s in live}
    for name, plan in sorted(planned.items()):
        service = by_name.get(name)
        if service is None:
            continue
        if not service.found:
            notes.append(f"{name}: in the last applied plan but not running (deleted outside Terraform?)")
            continue
        if plan.image and plan.image != service.image:
            why = " (expected: images are deployed by CI)" if images_by_ci else " — the next apply puts the planned image back"
            notes.append(f"{name}: image is {service.image}, the last applied plan has {plan.image}{why}")
        for label, want, have in (("min instances", plan.min_instances, service.min_instances),
                                  ("max instances", plan.max_instances, service.max_instances),
                                  ("ingress", plan.ingress, service.ingress)):
            if want is not None and want != have:
                notes.append(f"{name}: {label} is {have}, the last applied plan has {want}")
    for service in live:
        if service.found and planned and service.name not in planned:
            notes.append(f"{service.name}: running but not in the last applied plan")
    return notes
