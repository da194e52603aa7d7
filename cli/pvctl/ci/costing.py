"""Monthly cost of a phase's plan, against the base branch's plan or the plan's prior state."""

from __future__ import annotations

from typing import Any

from pvctl.ci.model import CostResult
from pvctl.core.config import Config


def phase_cost(config: Config, phase: str, plan: dict[str, Any], base_plan: dict[str, Any] | None, base_label: str | None) -> CostResult:
    from pvctl.cost.catalog import Catalog, default_path
    from pvctl.cost.estimate import estimate_plan
    from pvctl.cost.usage import load_usage

    catalog = Catalog.load(default_path(config.repo_root))
    usage = load_usage(phase, config.usage_overrides)
    after = estimate_plan(plan, config.region, usage, catalog, phase)
    if base_plan is not None:
        baseline, label = estimate_plan(base_plan, config.region, usage, catalog, phase).monthly_total, f"base {base_label}"
    else:
        # No base branch: what the plan starts from (empty for an offline sandbox).
        baseline, label = estimate_plan(plan, config.region, usage, catalog, phase, side="before").monthly_total, "the current state"
    return CostResult(after.monthly_total, baseline, label, after.currency, after.prices_as_of)
