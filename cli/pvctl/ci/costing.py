"""Monthly cost of a phase's plan, against the base branch's plan or the plan's prior state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pvctl.ci.model import CostResult
from pvctl.core.config import Config


@dataclass(frozen=True)
class BasePlan:
    """The base branch's plan of a phase, and what prices it."""

    plan: dict[str, Any]
    phases_file: Path | None     # the base commit's phases.toml (its usage profile); None: the current one
    label: str                   # "base main"


def phase_cost(config: Config, phase: str, plan: dict[str, Any], base: BasePlan | None,
               applied_phase: str | None = None) -> CostResult:
    from pvctl.cost.baseline import Pricing

    pricing = Pricing.of(config)
    after = pricing.estimate(plan, phase, phase)
    if base is not None:
        # The base branch at its own traffic profile: a change to phases.toml [<phase>.usage] shows in Δ.
        baseline = pricing.estimate(base.plan, phase, phase, phases_file=base.phases_file).monthly_total
        label = base.label
    else:
        # What is applied, priced once with the applied phase's profile: one figure for every phase.
        applied = pricing.applied(plan, applied_phase, phase)
        baseline = applied.monthly_total
        label = (f"the applied state ({applied.profile} traffic)" if applied.profile
                 else "the current state (nothing applied)")
    return CostResult(after.monthly_total, baseline, label, after.currency, after.prices_as_of)
