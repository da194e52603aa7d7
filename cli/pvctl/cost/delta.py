"""The cost change of a plan: the line `pvctl plan` prints, and per-component deltas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pvctl.cost.catalog import Catalog
from pvctl.cost.estimate import Estimate, estimate_plan, money
from pvctl.cost.usage import UsageProfile, load_usage


@dataclass(frozen=True)
class CostDelta:
    before: Decimal
    after: Decimal
    currency: str
    by_component: dict[str, tuple[Decimal, Decimal]]
    unpriced: int = 0

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    def line(self) -> str:
        sign = "+" if self.delta >= 0 else "-"
        line = (f"Monthly cost: ${money(self.before)} → ${money(self.after)} "
                f"({sign}${money(abs(self.delta))}/month, {self.currency})")
        if self.unpriced:
            line += f"; {self.unpriced} resource(s) not priced, see `pvctl cost`"
        return line


def compare(before: Estimate, after: Estimate) -> CostDelta:
    b, a = before.by_component(), after.by_component()
    components = sorted(set(b) | set(a))
    return CostDelta(before.monthly_total, after.monthly_total, after.currency,
                     {c: (b.get(c, Decimal(0)), a.get(c, Decimal(0))) for c in components},
                     len(after.unpriced))


def cost_delta(before_plan: dict[str, Any] | None, after_plan: dict[str, Any], region: str,
               usage: UsageProfile, catalog: Catalog | None = None) -> CostDelta:
    """The cost change a plan makes. Without a separate "before" plan, the plan's own prior
    state (``change.before``) is the baseline."""
    catalog = catalog or Catalog.load()
    if before_plan is None:
        before = estimate_plan(after_plan, region, usage, catalog, side="before")
    else:
        before = estimate_plan(before_plan, region, usage, catalog)
    return compare(before, estimate_plan(after_plan, region, usage, catalog))


def plan_cost_line(plan: dict[str, Any], config: Any, phase: str) -> str:
    """The one line `pvctl plan` prints: priced in the configured region with the phase's usage
    (pvctl.toml overrides included), using a refreshed catalog when there is one."""
    from pvctl.core.errors import PvctlError
    from pvctl.cost.catalog import default_path

    try:
        catalog = Catalog.load(default_path(config.repo_root))
        usage = load_usage(phase, config.usage_overrides)
        return cost_delta(None, plan, config.region, usage, catalog).line()
    except PvctlError as exc:  # a plan stays useful without its price
        return f"Monthly cost: not estimated — {exc.line()}"
