"""Monthly cost of a phase's plan: both sides of the one plan, and each resource whose cost changes.

The plan's `before` is what the change starts from (the base branch applied in a sandbox, or
the live state), its `after` the pull request's result, so one plan prices both.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from pvctl.ci.drivers import cost_drivers
from pvctl.ci.model import CostResult
from pvctl.core.config import Config
from pvctl.cost.delta import ResourceCost, resource_deltas
from pvctl.cost.estimate import Estimate
from pvctl.planning.changes import resource_diffs


def resource_costs(before: Estimate, after: Estimate) -> tuple[ResourceCost, ...]:
    """The resources (and project-wide lines such as the free tier) whose monthly cost changes, biggest change first."""
    changed = (c for c in resource_deltas(before, after) if c.delta.quantize(Decimal("0.01")))
    return tuple(sorted(changed, key=lambda c: (-abs(c.delta), c.resource)))


def phase_cost(config: Config, phase: str, plan: dict[str, Any], baseline_label: str,
               baseline_phases: Path | None = None, applied_phase: str | None = None) -> CostResult:
    """The plan's two sides. Against the base branch applied, the side before the change is priced at
    the base commit's traffic profile (`baseline_phases`), so a change to `[<phase>.usage]` shows in the
    delta; otherwise it is what is applied, priced once with the applied phase's profile, the same
    figure `pvctl plan` and `pvctl cost` show."""
    from pvctl.cost.baseline import Pricing

    pricing = Pricing.of(config)
    after = pricing.estimate(plan, phase, phase)
    if baseline_phases is not None:
        before = pricing.estimate(plan, phase, phase, side="before", phases_file=baseline_phases)
    else:
        before = pricing.applied(plan, applied_phase, phase)
    label = f"{baseline_label} ({before.profile} traffic)" if before.profile else baseline_label
    costs = resource_costs(before, after)
    new_profile = pricing.estimate(plan, phase, phase, side="before") if before.profile else before
    profiles = ((f"{baseline_label}'s {phase}", f"this change's {phase}") if baseline_phases is not None
                else (before.profile or "", phase))
    drivers = cost_drivers(plan, resource_diffs(plan), costs, lambda p: pricing.estimate(p, phase, phase),
                           before, new_profile, profiles)
    return CostResult(after.monthly_total, before.monthly_total, label, after.currency, after.prices_as_of,
                      costs, drivers)
