"""Price a Terraform plan: usage records → line items, with tiers and free tiers applied per SKU."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pvctl.cost import pricers
from pvctl.cost.catalog import Catalog
from pvctl.cost.plan_input import PlannedResource, resources
from pvctl.cost.usage import UsageProfile

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineItem:
    component: str
    resource: str
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    monthly: Decimal
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "component": self.component, "resource": self.resource, "sku": self.sku,
            "quantity": float(self.quantity), "unit": self.unit, "unit_price": float(self.unit_price),
            "monthly": float(money(self.monthly)), "note": self.note,
        }


@dataclass(frozen=True)
class Skipped:
    """A resource with no line item: free by nature, or one pvctl cannot price."""

    resource: str
    type: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"resource": self.resource, "type": self.type, "reason": self.reason}


@dataclass
class Estimate:
    region: str
    currency: str
    prices_as_of: str
    items: list[LineItem] = field(default_factory=list)
    free: list[Skipped] = field(default_factory=list)
    unpriced: list[Skipped] = field(default_factory=list)
    unverified_skus: list[str] = field(default_factory=list)
    phase: str | None = None

    @property
    def monthly_total(self) -> Decimal:
        return sum((i.monthly for i in self.items), Decimal(0))

    def by_component(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for item in self.items:
            totals[item.component] += item.monthly
        return dict(totals)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase, "region": self.region, "currency": self.currency,
            "monthly_total": float(money(self.monthly_total)),
            "items": [i.as_json() for i in self.items],
            "unpriced": [s.as_json() for s in self.unpriced],
            "free": [s.as_json() for s in self.free],
            "unverified_skus": self.unverified_skus,
            "prices_as_of": self.prices_as_of,
        }


def _free_credits(items: list[LineItem], catalog: Catalog, region: str) -> list[LineItem]:
    """Cloud Run's free tier is a monthly discount worth its allowance at Tier 1 prices,
    so in a Tier 2 region it covers fewer seconds than the allowance says."""
    credits = []
    for name, credit in catalog.free_credits.items():
        for sku, allowance in credit["skus"].items():
            charged = sum((i.monthly for i in items if i.sku == sku), Decimal(0))
            if not charged:
                continue
            tier1 = catalog.price(sku, credit["valued_at"]).top_rate
            worth = Decimal(allowance) * tier1
            used = min(charged, worth)
            credits.append(LineItem(
                "Free tier", "(billing account)", f"{sku}:free", used / tier1, catalog.unit(sku), -tier1, -used,
                f"{name}: {allowance:,} {catalog.unit(sku)}s valued at {credit['valued_at']} prices (${money(worth)})",
            ))
    return credits


def estimate_resources(found: list[PlannedResource], region: str, usage: UsageProfile, catalog: Catalog,
                       phase: str | None = None) -> Estimate:
    catalog.check_region(region)
    result = Estimate(region, catalog.currency, catalog.as_of(), phase=phase)
    ctx = pricers.Context(region, usage, catalog.hours_per_month, found)
    records: list[pricers.Usage] = []
    for r in sorted(found, key=lambda r: r.address):
        if r.type in pricers.FREE_TYPES:
            result.free.append(Skipped(r.address, r.type, pricers.FREE_TYPES[r.type]))
            continue
        pricer = pricers.PRICERS.get(r.type)
        if pricer is None:
            result.unpriced.append(Skipped(r.address, r.type, "no pricing rule for this resource type"))
            continue
        try:
            records.extend(pricer(r, ctx))
        except pricers.Covered:
            result.free.append(Skipped(r.address, r.type, pricers.COVERED_REASON[r.type]))
        except pricers.Unpriceable as why:
            result.unpriced.append(Skipped(r.address, r.type, str(why)))
    if records:
        records.extend(pricers.project_usage(ctx))

    # Tiers (and $0 free tiers) apply to the month's total per SKU: price the total once and
    # share it out by quantity.
    groups: dict[tuple[str, str], list[pricers.Usage]] = defaultdict(list)
    for rec in records:
        groups[(rec.sku, rec.region or region)].append(rec)
    unverified = set()
    for (sku, row), recs in groups.items():
        price = catalog.price(sku, row)
        if not price.verified:
            unverified.add(sku)
        total_q = sum((r.quantity for r in recs), Decimal(0))
        total_cost = price.cost(total_q)
        for rec in recs:
            share = total_cost * rec.quantity / total_q if total_q else Decimal(0)
            unit_price = share / rec.quantity if rec.quantity else price.top_rate
            note = rec.note
            if len(price.tiers) > 1:
                note = f"{note}; tiered over {total_q:,.0f} {price.unit}s in total".lstrip("; ")
            result.items.append(LineItem(rec.component, rec.resource, sku, rec.quantity, price.unit,
                                         unit_price, share, note))
    result.items.extend(_free_credits(result.items, catalog, region))
    result.unverified_skus = sorted(unverified)
    return result


def estimate_plan(plan: dict[str, Any], region: str, usage: UsageProfile, catalog: Catalog,
                  phase: str | None = None, side: str = "after") -> Estimate:
    return estimate_resources(resources(plan, side), region, usage, catalog, phase)  # type: ignore[arg-type]
