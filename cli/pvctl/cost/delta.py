"""The cost change of a plan: the line `pvctl plan` prints, per-component and per-resource deltas."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pvctl.cost.catalog import Catalog
from pvctl.cost.estimate import Estimate, estimate_plan, money
from pvctl.cost.usage import UsageProfile


@dataclass(frozen=True)
class ResourceCost:
    """One resource's monthly cost before and after (0 where it does not exist on that side)."""

    resource: str
    component: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        return None if not self.before else self.delta * 100 / self.before

    def as_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "component": self.component, "before": float(money(self.before)),
                "after": float(money(self.after)), "delta": float(money(self.delta))}


def resource_deltas(before: Estimate, after: Estimate) -> list[ResourceCost]:
    """Per-resource line items summed before and after, for every resource priced on either side
    (project-level lines such as logs and the free-tier credit appear under their own names)."""
    sides: dict[str, dict[str, Decimal]] = {}
    components: dict[str, str] = {}
    for name, est in (("before", before), ("after", after)):
        totals: dict[str, Decimal] = {}
        for item in est.items:
            totals[item.resource] = totals.get(item.resource, Decimal(0)) + item.monthly
            components.setdefault(item.resource, item.component)
        sides[name] = totals
    return [ResourceCost(r, components[r], sides["before"].get(r, Decimal(0)), sides["after"].get(r, Decimal(0)))
            for r in sorted(components)]


@dataclass(frozen=True)
class CostDelta:
    before: Decimal
    after: Decimal
    currency: str
    by_component: dict[str, tuple[Decimal, Decimal]]
    unpriced: int = 0
    before_profile: str | None = None    # the phase whose usage profile priced each side
    after_profile: str | None = None
    resources: list[ResourceCost] = field(default_factory=list)
    derived_after: Decimal = Decimal(0)  # the part of `after` priced with derived or unconfirmed figures
    before_phase: str | None = None      # the applied phase, where the state records it

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    def line(self) -> str:
        sign = "+" if self.delta >= 0 else "-"
        line = (f"Monthly cost: ${money(self.before)} → ${money(self.after)} "
                f"({sign}${money(abs(self.delta))}/month, {self.currency}")
        if self.before_profile or self.after_profile:
            if self.before_phase:
                now = f"{self.before_phase} applied, {self.before_profile} traffic"
            else:
                unknown = f"applied phase unknown, {self.before_profile} traffic"
                now = unknown if self.before_profile else "nothing applied"
            line += f"; now: {now}; after: {self.after_profile} traffic"
        line += ")"
        if self.derived_after:
            line += f"; ${money(self.derived_after)} of it on derived prices"
        if self.unpriced:
            line += f"; {self.unpriced} resource(s) not priced, see `pvctl cost`"
        return line


def compare(before: Estimate, after: Estimate) -> CostDelta:
    b, a = before.by_component(), after.by_component()
    components = sorted(set(b) | set(a))
    return CostDelta(before.monthly_total, after.monthly_total, after.currency,
                     {c: (b.get(c, Decimal(0)), a.get(c, Decimal(0))) for c in components},
                     len(after.unpriced), before.profile, after.profile, resource_deltas(before, after),
                     after.derived_total, before.phase)


def cost_delta(before_plan: dict[str, Any] | None, after_plan: dict[str, Any], region: str,
               usage: UsageProfile, catalog: Catalog | None = None) -> CostDelta:
    """The cost change a plan makes with one usage profile on both sides. Without a separate
    "before" plan, the plan's own prior state (``change.before``) is the baseline. (`pvctl plan`
    prices the prior state with the applied phase's profile instead: see `baseline.Pricing`.)"""
    catalog = catalog or Catalog.load()
    if before_plan is None:
        before = estimate_plan(after_plan, region, usage, catalog, side="before")
    else:
        before = estimate_plan(before_plan, region, usage, catalog)
    return compare(before, estimate_plan(after_plan, region, usage, catalog))


def plan_cost_line(plan: dict[str, Any], config: Any, phase: str, applied_phase: str | None = None) -> str:
    """The one line `pvctl plan` prints: the applied state at the applied phase's profile → the
    plan at `phase`'s, using a refreshed catalog when there is one."""
    from pvctl.core.errors import PvctlError
    from pvctl.cost.baseline import Pricing

    try:
        return Pricing.of(config).plan_delta(plan, phase, applied_phase).line()
    except PvctlError as exc:  # a plan stays useful without its price
        return f"Monthly cost: not estimated — {exc.line()}"
