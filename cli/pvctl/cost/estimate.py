"""Price a Terraform plan: usage records → line items, with tiers and free tiers applied per SKU."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from pvctl.cost import pricers
from pvctl.cost.catalog import Catalog, Price
from pvctl.cost.plan_input import PlannedResource, resources
from pvctl.cost.usage import UsageProfile

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rounded(values: list[Decimal]) -> list[Decimal]:
    """Cents per row that add up to the rounded total: each row rounds down, and the cents left
    go to the rows that lost the most (largest remainder)."""
    cents = [v * 100 for v in values]
    floors = [c.to_integral_value(rounding=ROUND_FLOOR) for c in cents]
    left = int(money(sum(values, Decimal(0))) * 100 - sum(floors, Decimal(0)))
    order = sorted(range(len(values)), key=lambda i: cents[i] - floors[i], reverse=True)
    for i in order[:left] if left > 0 else []:
        floors[i] += 1
    return [money(f / 100) for f in floors]


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
    verified: bool = True     # False: the price is derived or not confirmed against a published list price
    as_of: str = ""           # the date of the catalog row it was priced with
    price_row: str = ""       # that row's key: a region, "global", "dest:<geo>" or "<region>><geo>"

    def as_json(self, monthly: Decimal | None = None) -> dict[str, Any]:
        """`monthly`: the rounded figure to show (rows of an estimate add up to its total)."""
        return {
            "component": self.component, "resource": self.resource, "sku": self.sku,
            "quantity": float(self.quantity), "unit": self.unit, "unit_price": float(self.unit_price),
            "monthly": float(money(self.monthly) if monthly is None else monthly), "note": self.note,
            "price_row": self.price_row, "price_as_of": self.as_of, "verified": self.verified,
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
    profile: str | None = None          # the phase whose usage profile priced it
    free_tiers: bool = True             # False: the billing account's free tiers are used elsewhere
    hints: list[str] = field(default_factory=list)
    profile_warnings: list[str] = field(default_factory=list)   # where the usage profile and the plan disagree

    @property
    def monthly_total(self) -> Decimal:
        return sum((i.monthly for i in self.items), Decimal(0))

    @property
    def price_dates(self) -> tuple[str, str] | None:
        """The oldest and newest dates of the prices used."""
        dates = sorted(i.as_of for i in self.items if i.as_of)
        return (dates[0], dates[-1]) if dates else None

    @property
    def derived_total(self) -> Decimal:
        """The part of the total that rests on derived or unconfirmed prices."""
        return sum((i.monthly for i in self.items if not i.verified), Decimal(0))

    @property
    def derived_share(self) -> Decimal:
        total = self.monthly_total
        return self.derived_total / total if total else Decimal(0)

    def by_component(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for item in self.items:
            totals[item.component] += item.monthly
        return dict(totals)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase, "region": self.region, "currency": self.currency,
            "monthly_total": float(money(self.monthly_total)),
            "items": [i.as_json(cents) for i, cents in zip(self.items, rounded([i.monthly for i in self.items]),
                                                           strict=True)],
            "unpriced": [s.as_json() for s in self.unpriced],
            "free": [s.as_json() for s in self.free],
            "unverified_skus": self.unverified_skus,
            "derived_total": float(money(self.derived_total)),
            "derived_share": round(float(self.derived_share), 4),
            "prices_as_of": self.prices_as_of,
            "price_dates": list(self.price_dates or ()),
            "profile": self.profile, "free_tiers": self.free_tiers, "hints": self.hints,
            "profile_warnings": self.profile_warnings,
        }


def _free_credits(items: list[LineItem], catalog: Catalog) -> list[LineItem]:
    """Cloud Run's free tier is a monthly discount worth its allowance at Tier 1 prices, once
    per billing account, so in a Tier 2 region it covers fewer seconds than the allowance says.
    It shows on the Cloud Run lines' component, so Cloud Run reads net of it."""
    credits = []
    for name, credit in catalog.free_credits.items():
        for sku, allowance in credit["skus"].items():
            charged = sum((i.monthly for i in items if i.sku == sku), Decimal(0))
            if not charged:
                continue
            price = catalog.price(sku, credit["valued_at"])
            worth = Decimal(allowance) * price.top_rate
            used = min(charged, worth)
            credits.append(LineItem(
                "Cloud Run", "(free tier, billing account)", f"{sku}:free", used / price.top_rate, catalog.unit(sku),
                -price.top_rate, -used,
                f"{name}: {allowance:,} {catalog.unit(sku)}s valued at {credit['valued_at']} prices (${money(worth)})",
                price.verified, price.as_of, price.region,
            ))
    return credits


def estimate_resources(found: list[PlannedResource], region: str, usage: UsageProfile, catalog: Catalog,
                       phase: str | None = None, *, profile: str | None = None, free_tiers: bool = True) -> Estimate:
    """Price resources for a month of `usage`. `profile` names the phase whose usage profile that
    is (default: `phase`); with free_tiers=False the billing account's free tiers are taken as
    used by other environments on the same account."""
    catalog.check_region(region)
    result = Estimate(region, catalog.currency, "", phase=phase, profile=profile or phase, free_tiers=free_tiers)

    def price_of(sku: str, row: str, geo: str | None = None) -> Price:
        price = catalog.price(sku, row, geo)
        return price if free_tiers or price.free_tier != "billing_account" else price.without_free_tier()

    ctx = pricers.Context(region, usage, catalog.hours_per_month, found,
                          rate=lambda sku: price_of(sku, region).top_rate, regions=frozenset(catalog.regions))
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
        result.profile_warnings = pricers.profile_checks(ctx)

    # Tiers (and $0 free tiers) apply to the month's total per SKU: price the total once and
    # share it out by quantity. Rows priced by destination are grouped per destination.
    groups: dict[tuple[str, str, str | None], list[pricers.Usage]] = defaultdict(list)
    for rec in records:
        groups[(rec.sku, rec.region or region, rec.geo)].append(rec)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (sku, row, _geo), recs in groups.items():
        totals[(sku, row)] += sum((r.quantity for r in recs), Decimal(0))
    unverified = set()
    for (sku, row, geo), recs in groups.items():
        price = price_of(sku, row, geo)
        if not price.verified:
            unverified.add(sku)
        group_q = sum((r.quantity for r in recs), Decimal(0))
        # Volume tiers count every destination's units together; each group pays its share.
        all_q = totals[(sku, row)]
        group_cost = price.cost(all_q) * group_q / all_q if all_q else Decimal(0)
        for rec in recs:
            share = group_cost * rec.quantity / group_q if group_q else Decimal(0)
            unit_price = share / rec.quantity if rec.quantity else price.top_rate
            note = rec.note
            if len(price.tiers) > 1:
                note = f"{note}; tiered over {all_q:,.0f} {price.unit}s in total".lstrip("; ")
            result.items.append(LineItem(rec.component, rec.resource, sku, rec.quantity, price.unit,
                                         unit_price, share, note, price.verified, price.as_of, price.region))
    if free_tiers:
        result.items.extend(_free_credits(result.items, catalog))
    result.unverified_skus = sorted(unverified)
    result.hints = ctx.hints
    dates = result.price_dates
    if dates is None:
        result.prices_as_of = catalog.as_of()
    else:
        result.prices_as_of = dates[0] if dates[0] == dates[1] else f"{dates[0]} to {dates[1]}"
    return result


def estimate_plan(plan: dict[str, Any], region: str, usage: UsageProfile, catalog: Catalog,
                  phase: str | None = None, side: str = "after", *, profile: str | None = None,
                  free_tiers: bool = True) -> Estimate:
    return estimate_resources(resources(plan, side), region, usage, catalog, phase,  # type: ignore[arg-type]
                              profile=profile, free_tiers=free_tiers)
