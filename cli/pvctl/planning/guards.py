"""Safety guards over plan JSON: stateful deletions/replacements and phase downgrades."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pvctl.core.errors import GuardRefusal
from pvctl.planning.summary import Change, changes

if TYPE_CHECKING:
    from pvctl.core.config import Config

# Resource types whose loss loses data: deleting or replacing one needs --allow-destroy.
STATEFUL_TYPES = frozenset({
    "google_sql_database_instance",
    "google_sql_database",
    "google_sql_user",
    "google_redis_instance",
    "google_memorystore_instance",
    "google_secret_manager_secret",
    "google_secret_manager_secret_version",
})
# Buckets are stateful only when it is the one holding Terraform's state.
BUCKET_TYPE = "google_storage_bucket"
DESTRUCTIVE = frozenset({"delete", "replace"})


@dataclass(frozen=True)
class Findings:
    destructive: list[Change]       # stateful resources deleted or replaced
    applied_phase: str | None       # from the prior state's outputs
    applied_order: int | None
    downgrade: bool


def _is_stateful(change: Change, extra_types: Iterable[str], state_bucket: str | None) -> bool:
    if change.type in STATEFUL_TYPES or change.type in extra_types:
        return True
    if change.type == BUCKET_TYPE and state_bucket:
        names = {(change.raw.get(side) or {}).get("name") for side in ("before", "after")}
        return state_bucket in names
    return False


def stateful_destructions(plan: dict[str, Any], extra_types: Iterable[str] = (), state_bucket: str | None = None) -> list[Change]:
    extra = frozenset(extra_types)
    return [c for c in changes(plan) if c.action in DESTRUCTIVE and _is_stateful(c, extra, state_bucket)]


def applied_phase(state_outputs: dict[str, Any]) -> tuple[str | None, int | None]:
    """The phase that wrote the state: its outputs `phase` and `phase_order` (`terraform state pull`)."""
    outputs = state_outputs or {}
    order = (outputs.get("phase_order") or {}).get("value")
    name = (outputs.get("phase") or {}).get("value")
    try:
        return name, int(order) if order is not None else None
    except (TypeError, ValueError):
        return name, None


def evaluate(plan: dict[str, Any], state_outputs: dict[str, Any], phase_order: int,
             extra_types: Iterable[str] = (), state_bucket: str | None = None) -> Findings:
    """Guard findings for a plan, given the outputs in the state it was planned against."""
    name, order = applied_phase(state_outputs)
    return Findings(
        destructive=stateful_destructions(plan, extra_types, state_bucket),
        applied_phase=name,
        applied_order=order,
        downgrade=order is not None and order > phase_order,
    )


def evaluate_for(config: Config, phase: str, plan: dict[str, Any], state_outputs: dict[str, Any]) -> Findings:
    """`evaluate` with the phase's order from the configuration's phase data and its guard settings."""
    from pvctl.core.phases import get_phase

    order = get_phase(phase, config.phases_file).order
    return evaluate(plan, state_outputs, order, config.extra_stateful_types, config.state_bucket)


def enforce(findings: Findings, phase: str, allow_destroy: bool, allow_downgrade: bool, command: str) -> None:
    """Raise GuardRefusal (exit 3) for the first guard that is not explicitly allowed."""
    if findings.downgrade and not allow_downgrade:
        raise GuardRefusal(
            f"phase {phase}: the state was last applied by phase {findings.applied_phase or '?'} (order {findings.applied_order}); "
            f"planning {phase} would shrink the running system",
            f"if that is really wanted, re-run `pvctl {command} --phase {phase} --allow-downgrade`",
        )
    if findings.destructive and not allow_destroy:
        listed = ", ".join(f"{c.address} ({c.action})" for c in findings.destructive)
        raise GuardRefusal(
            f"phase {phase}: the plan would delete or replace stateful resources: {listed}",
            f"check the plan; to go ahead anyway re-run `pvctl {command} --phase {phase} --allow-destroy`",
        )
