"""What one `pvctl ci` / `pvctl check` run found, phase by phase: plain data the report renders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pvctl.core.errors import ExitCode
from pvctl.policy.checkov import PolicyScan

Status = Literal["ok", "failed", "skipped", "unavailable"]


@dataclass(frozen=True)
class StepResult:
    name: str                 # fmt | validate | policy | plan | cost
    status: Status
    summary: str = ""
    details: str = ""         # e.g. fmt's diff or Terraform's error lines (never plan values)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ResourceRow:
    address: str
    action: str               # create | update | delete | replace | forget
    changed: tuple[tuple[str, str], ...] = ()   # (attribute, "before → after"), already masked


@dataclass(frozen=True)
class CostResult:
    monthly: Decimal
    baseline: Decimal | None          # the base branch's estimate, else the plan's prior state
    baseline_label: str               # "base main" or "current state"
    currency: str
    prices_as_of: str

    @property
    def delta(self) -> Decimal | None:
        return None if self.baseline is None else self.monthly - self.baseline

    def as_json(self) -> dict[str, Any]:
        delta = self.delta
        return {"monthly": float(self.monthly), "baseline": None if self.baseline is None else float(self.baseline),
                "baseline_label": self.baseline_label, "delta": None if delta is None else float(delta),
                "currency": self.currency, "prices_as_of": self.prices_as_of}


@dataclass
class PhaseResult:
    phase: str
    mode: str                                   # offline | live
    steps: list[StepResult] = field(default_factory=list)
    resources: list[ResourceRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)    # add, change, destroy, replace
    guard_warnings: list[str] = field(default_factory=list)  # refused without an explicit flag
    policy: PolicyScan | None = None
    cost: CostResult | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.resources)

    @property
    def planned(self) -> bool:
        return any(s.name == "plan" and s.status == "ok" for s in self.steps)

    @property
    def failed_steps(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed_steps and not self.guard_warnings and (self.policy is None or self.policy.ok)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase, "mode": self.mode, "ok": self.ok, "counts": self.counts,
            "steps": [s.as_json() for s in self.steps],
            "resources": [{"address": r.address, "action": r.action, "changed": dict(r.changed)} for r in self.resources],
            "guard_warnings": self.guard_warnings,
            "policy": self.policy.as_json() if self.policy else None,
            "cost": self.cost.as_json() if self.cost else None,
        }


@dataclass
class CiReport:
    phases: list[PhaseResult]
    code_scan: PolicyScan | None = None         # modules/ + environments/ as written
    fmt: StepResult | None = None               # repository-wide, not per phase
    base_ref: str | None = None
    artifact_hint: str = "the workflow run's `pvctl-ci` artifact"

    @property
    def ok(self) -> bool:
        return (all(p.ok for p in self.phases) and (self.code_scan is None or self.code_scan.ok)
                and (self.fmt is None or self.fmt.status != "failed"))

    @property
    def has_changes(self) -> bool:
        return any(p.has_changes for p in self.phases)

    @property
    def exit_code(self) -> ExitCode:
        """A tool failure first (1), then a guard (3), then a policy violation (5)."""
        if (self.fmt and self.fmt.status == "failed") or any(s.name != "policy" for p in self.phases for s in p.failed_steps):
            return ExitCode.FAILED
        if any(p.guard_warnings for p in self.phases):
            return ExitCode.REFUSED
        return ExitCode.OK if self.ok else ExitCode.POLICY

    @property
    def prices_as_of(self) -> str | None:
        dates = [p.cost.prices_as_of for p in self.phases if p.cost]
        return max(dates) if dates else None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "has_changes": self.has_changes, "base_ref": self.base_ref,
            "prices_as_of": self.prices_as_of,
            "fmt": self.fmt.as_json() if self.fmt else None,
            "code_scan": self.code_scan.as_json() if self.code_scan else None,
            "phases": [p.as_json() for p in self.phases],
        }
