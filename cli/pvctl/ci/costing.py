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


def phase_cost(config: Config, phase: str, plan: dict[str, Any], base: BasePlan | None) -> CostResult:
    from pvctl.cost.catalog import Catalog, default_path
    from pvctl.cost.estimate import estimate_plan
    from pvctl.cost.usage import load_usage

    catalog = Catalog.load(default_path(config.repo_root))
    usage = load_usage(phase, config.usage_overrides)
    after = estimate_plan(plan, config.region, usage, catalog, phase)
    if base is not None:
        # The base branch at its own traffic profile: a change to phases.toml [<phase>.usage] shows in Δ.
        base_usage = load_usage(phase, config.usage_overrides, phases_file=base.phases_file)
        baseline, label = estimate_plan(base.plan, config.region, base_usage, catalog, phase).monthly_total, base.label
    else:
        # No base branch: what the plan starts from (empty for an offline sandbox).
        baseline, label = estimate_plan(plan, config.region, usage, catalog, phase, side="before").monthly_total, "the current state"
    return CostResult(after.monthly_total, baseline, label, after.currency, after.prices_as_of)
