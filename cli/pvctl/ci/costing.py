"""Monthly cost of a phase's plan: both sides of the one plan, and each resource whose cost changes.

The plan's `before` is what the change starts from (the base branch applied in a sandbox, or
the live state), its `after` the pull request's result, so one plan prices both.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from pvctl.ci.model import CostResult, ResourceCost
from pvctl.core.config import Config
from pvctl.cost.estimate import Estimate


def _by_resource(estimate: Estimate) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in estimate.items:
        totals[item.resource] += item.monthly
    return totals


def resource_costs(before: Estimate, after: Estimate) -> tuple[ResourceCost, ...]:
    """The resources (and project-wide lines such as the free tier) whose monthly cost changes, biggest change first."""
    b, a = _by_resource(before), _by_resource(after)
    found = [ResourceCost(r, b.get(r, Decimal(0)), a.get(r, Decimal(0))) for r in set(b) | set(a)]
    return tuple(sorted((c for c in found if c.delta.quantize(Decimal("0.01"))), key=lambda c: (-abs(c.delta), c.address)))


def phase_cost(config: Config, phase: str, plan: dict[str, Any], baseline_label: str,
               baseline_phases: Path | None = None) -> CostResult:
    """`baseline_phases`: the base commit's phases.toml, so the side before the change is priced at the
    base branch's traffic profile and a change to `[<phase>.usage]` shows in the delta."""
    from pvctl.cost.catalog import Catalog, default_path
    from pvctl.cost.estimate import estimate_plan
    from pvctl.cost.usage import load_usage

    catalog = Catalog.load(default_path(config.repo_root))
    after = estimate_plan(plan, config.region, load_usage(phase, config.usage_overrides), catalog, phase)
    before_usage = load_usage(phase, config.usage_overrides, phases_file=baseline_phases)
    before = estimate_plan(plan, config.region, before_usage, catalog, phase, side="before")
    return CostResult(after.monthly_total, before.monthly_total, baseline_label, after.currency, after.prices_as_of,
                      resource_costs(before, after))
