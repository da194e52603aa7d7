"""What one `pvctl ci` / `pvctl check` run found, phase by phase: plain data the report renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pvctl.ci.drivers import CostDriver
from pvctl.core.errors import ExitCode
from pvctl.cost.delta import ResourceCost
from pvctl.planning.changes import ResourceDiff
from pvctl.policy.checkov import PolicyScan
from pvctl.policy.step import StepResult

# gating: its plan decides the check; preview: the next promotion, shown for information;
# skipped: not planned (a phase below the applied one would shrink the running system).
Role = Literal["gating", "preview", "skipped"]


@dataclass(frozen=True)
class CostResult:
    monthly: Decimal
    baseline: Decimal | None          # the monthly cost before the change
    baseline_label: str               # "base main", "the live state", "the sandbox state"
    currency: str
    prices_as_of: str
    resources: tuple[ResourceCost, ...] = ()   # the resources whose cost changes
    drivers: Mapping[str, tuple[CostDriver, ...]] = field(default_factory=dict)   # by resource: what moves its cost

    @property
    def delta(self) -> Decimal | None:
        return None if self.baseline is None else self.monthly - self.baseline

    @property
    def percent(self) -> Decimal | None:
        return None if not self.baseline or self.delta is None else self.delta * 100 / self.baseline

    def as_json(self) -> dict[str, Any]:
        delta = self.delta
        return {"monthly": float(self.monthly), "baseline": None if self.baseline is None else float(self.baseline),
                "baseline_label": self.baseline_label, "delta": None if delta is None else float(delta),
                "currency": self.currency, "prices_as_of": self.prices_as_of,
                "resources": [r.as_json() for r in self.resources],
                "drivers": {r: [d.as_json() for d in found] for r, found in self.drivers.items()}}


@dataclass
class PhaseResult:
    phase: str
    mode: str                                   # offline | live
    steps: list[StepResult] = field(default_factory=list)
    resources: list[ResourceDiff] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)    # add, change, destroy, replace
    guard_warnings: list[str] = field(default_factory=list)  # refused without an explicit flag
    policy: PolicyScan | None = None
    cost: CostResult | None = None
    role: Role = "gating"
    note: str = ""                              # why a phase is a preview or not planned; what its plan starts from
    environment: str | None = None              # the [environments.<name>] planned; None: pvctl.toml has none

    @property
    def label(self) -> str:
        """How the report names this plan: the phase, after its environment when there are several."""
        return f"{self.environment}/{self.phase}" if self.environment else self.phase

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
    def refused(self) -> bool:
        """Guards refuse the gating plan only: a promotion preview lists what the promotion would need."""
        return self.role == "gating" and bool(self.guard_warnings)

    @property
    def ok(self) -> bool:
        return not self.failed_steps and not self.refused and (self.policy is None or self.policy.ok)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "environment": self.environment,
            "mode": self.mode,
            "role": self.role,
            "note": self.note,
            "ok": self.ok,
            "counts": self.counts,
            "steps": [s.as_json() for s in self.steps],
            "resources": [r.as_json() for r in self.resources],
            "guard_warnings": self.guard_warnings,
            "policy": self.policy.as_json() if self.policy else None,
            "cost": self.cost.as_json() if self.cost else None,
        }


@dataclass(frozen=True)
class RunLink:
    """Where the report comes from: the CI run and the commit under review."""

    url: str | None
    commit: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunLink | None:
        """GitHub Actions' variables; the pull request's head commit when the workflow passes it
        (GITHUB_SHA is the merge commit on pull_request events)."""
        server, repo, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        url = f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None
        commit = env.get("PVCTL_CI_COMMIT") or env.get("GITHUB_SHA")
        return cls(url, commit) if url or commit else None


@dataclass
class CiReport:
    phases: list[PhaseResult]
    code_scan: PolicyScan | None = None         # modules/ + environments/ as written
    fmt: StepResult | None = None               # repository-wide, not per phase
    base_ref: str | None = None
    basis: str = ""                             # what the plans start from, in one sentence
    artifact_hint: str = "the workflow run's `pvctl-ci` artifact"
    run: RunLink | None = None

    @property
    def ok(self) -> bool:
        return (all(p.ok for p in self.phases) and (self.code_scan is None or self.code_scan.ok)
                and (self.fmt is None or self.fmt.status != "failed"))

    @property
    def has_changes(self) -> bool:
        """What the pull request changes: a promotion preview's plan is the promotion's, not the PR's."""
        return any(p.has_changes for p in self.phases if p.role == "gating")

    @property
    def exit_code(self) -> ExitCode:
        """A tool failure first (1), then a guard (3), then a policy violation (5)."""
        if (self.fmt and self.fmt.status == "failed") or any(s.name != "policy" for p in self.phases for s in p.failed_steps):
            return ExitCode.FAILED
        if any(p.refused for p in self.phases):
            return ExitCode.REFUSED
        return ExitCode.OK if self.ok else ExitCode.POLICY

    @property
    def prices_as_of(self) -> str | None:
        dates = [p.cost.prices_as_of for p in self.phases if p.cost]
        return max(dates) if dates else None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "has_changes": self.has_changes, "base_ref": self.base_ref, "basis": self.basis,
            "run": asdict(self.run) if self.run else None,
            "prices_as_of": self.prices_as_of,
            "fmt": self.fmt.as_json() if self.fmt else None,
            "code_scan": self.code_scan.as_json() if self.code_scan else None,
            "phases": [p.as_json() for p in self.phases],
        }
