"""Estimates as a terminal table, Markdown, or the per-phase × region summary table."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pvctl.cost.delta import CostDelta
from pvctl.cost.estimate import Estimate, LineItem, money, rounded

if TYPE_CHECKING:
    from rich.console import Group


def _qty(value: Decimal) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.4g}"


def _rate(value: Decimal) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".") if value else "0"


def dated(est: Estimate) -> str:
    dates = est.price_dates
    if not dates:
        return "no prices used"
    return f"list prices dated {dates[0]}" if dates[0] == dates[1] else f"list prices dated {dates[0]} to {dates[1]}"


def _title(est: Estimate) -> str:
    who = f"phase {est.phase}" if est.phase else "plan"
    traffic = f", {est.profile} traffic" if est.profile and est.profile != est.phase else ""
    return f"Monthly cost of {who}{traffic} in {est.region} ({est.currency}, {dated(est)})"


def _footer(est: Estimate) -> list[str]:
    lines = []
    if est.derived_total:
        lines.append(f"* derived or unconfirmed prices ({', '.join(est.unverified_skus)}) carry "
                     f"${money(est.derived_total):,} of ${money(est.monthly_total):,} ({est.derived_share:.1%}); "
                     "`pvctl prices refresh` replaces them with the Catalog API's.")
    lines += [f"Hint: {h}" for h in est.hints]
    lines += [f"Usage profile: {w}" for w in est.profile_warnings]
    if est.free_tiers:
        lines.append("Free tiers are credited once per billing account (Cloud Run's valued at Tier 1 prices); "
                     "set [billing] shared_account = true when other environments use the same account.")
    else:
        lines.append("No per-account free tier credited: [billing] shared_account = true (other environments use it).")
    return lines


def _rows(est: Estimate) -> list[tuple[LineItem, Decimal]]:
    return list(zip(est.items, rounded([i.monthly for i in est.items]), strict=True))


def _mark(item: LineItem) -> str:
    return "" if item.verified else " *"


def table(est: Estimate) -> Group:
    """A rich renderable; built lazily so importing this module stays cheap."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from pvctl.core.console import Fitted

    t = Table(title=_title(est), show_lines=False)
    t.add_column("component")
    t.add_column("resource")
    t.add_column("sku")
    t.add_column("quantity", justify="right")
    t.add_column("unit price", justify="right")
    t.add_column("monthly", justify="right", no_wrap=True)
    for i, cents in _rows(est):
        t.add_row(i.component, i.resource, i.sku + _mark(i), f"{_qty(i.quantity)} {i.unit}", _rate(i.unit_price),
                  f"{cents:,}")
    t.add_section()
    t.add_row("Total", "", "", "", "", f"{money(est.monthly_total):,}", style="bold")
    parts: list = [Fitted(t)]
    if est.unpriced:
        parts.append(Text("Not priced (no price in pvctl for these):", style="bold yellow"))
        parts += [Text(f"  {s.resource} ({s.type}): {s.reason}") for s in est.unpriced]
    if est.free:
        parts.append(Text(f"Free: {len(est.free)} resource(s) cost nothing by nature (see --json for reasons)."))
    parts += [Text(line, style="dim") for line in _footer(est)]
    return Group(*parts)


def markdown(est: Estimate) -> str:
    out = [f"### {_title(est)}", "", "| component | resource | sku | quantity | unit | unit price | monthly |",
           "|---|---|---|---:|---|---:|---:|"]
    for i, cents in _rows(est):
        out.append(f"| {i.component} | `{i.resource}` | {i.sku}{_mark(i)} | {_qty(i.quantity)} | {i.unit} | "
                   f"{_rate(i.unit_price)} | {cents:,} |")
    out.append(f"| **Total** | | | | | | **{money(est.monthly_total):,}** |")
    if est.unpriced:
        out += ["", "Not priced:", *[f"- `{s.resource}` ({s.type}): {s.reason}" for s in est.unpriced]]
    if est.free:
        out += ["", "Free by nature:", *[f"- `{s.resource}`: {s.reason}" for s in est.free]]
    out += ["", *[f"_{line}_" for line in _footer(est)]]
    return "\n".join(out) + "\n"


def compare_markdown(a: str, b: str, before: Estimate, after: Estimate, delta: CostDelta) -> str:
    """Two phases side by side: one heading with region, currency, price dates and the traffic
    each side was priced with; rows rounded so they add up to the totals shown."""
    dates = sorted(d for e in (before, after) for d in (e.price_dates or ()))
    when = f"list prices dated {dates[0]} to {dates[-1]}" if dates else "no prices used"
    traffic = (f"both with {after.profile} traffic" if before.profile == after.profile
               else f"{a} with {before.profile} traffic, {b} with {after.profile} traffic")
    out = [f"### Monthly cost, {a} → {b}, in {after.region} ({after.currency}, {when}; {traffic})", "",
           f"| component | {a} | {b} | change |", "|---|---:|---:|---:|"]
    comps = list(delta.by_component.items())
    xs = rounded([x for _, (x, _) in comps])
    ys = rounded([y for _, (_, y) in comps])
    for (comp, _), x, y in zip(comps, xs, ys, strict=True):
        out.append(f"| {comp} | {x:,} | {y:,} | {y - x:+,} |")
    out.append(f"| **Total** | **{money(delta.before):,}** | **{money(delta.after):,}** | **{money(delta.delta):+,}** |")
    out += ["", "_Cloud Run is net of its free tier. Rows are rounded to add up to the totals._"]
    derived = [(name, e) for name, e in ((a, before), (b, after)) if e.derived_total]
    if derived:
        out.append("_Derived or unconfirmed prices carry " + ", ".join(
            f"${money(e.derived_total):,} of {name} ({e.derived_share:.1%})" for name, e in derived) + "._")
    return "\n".join(out) + "\n"
