"""Estimates as a terminal table, Markdown, or the per-phase × region summary table."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pvctl.cost.delta import CostDelta
from pvctl.cost.estimate import Estimate, money


def _qty(value: Decimal) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.4g}"


def _rate(value: Decimal) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".") if value else "0"


def _title(est: Estimate) -> str:
    who = f"phase {est.phase}" if est.phase else "plan"
    return f"Monthly cost of {who} in {est.region} ({est.currency}, list prices as of {est.prices_as_of})"


def _footer(est: Estimate) -> list[str]:
    lines = []
    if est.unverified_skus:
        lines.append(f"Figures not confirmed against a published list price (derived or recalled): "
                     f"{', '.join(est.unverified_skus)} — run `pvctl prices refresh` to replace them.")
    lines.append("Cloud Run free tier is credited once per billing account, valued at Tier 1 prices.")
    return lines


def table(est: Estimate):
    """A rich renderable; built lazily so importing this module stays cheap."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    t = Table(title=_title(est), show_lines=False)
    t.add_column("component")
    t.add_column("resource", overflow="fold")
    t.add_column("sku", overflow="fold")
    t.add_column("quantity", justify="right")
    t.add_column("unit price", justify="right")
    t.add_column("monthly", justify="right", no_wrap=True)
    for i in est.items:
        t.add_row(i.component, i.resource, i.sku, f"{_qty(i.quantity)} {i.unit}", _rate(i.unit_price), f"{money(i.monthly):,}")
    t.add_section()
    t.add_row("Total", "", "", "", "", f"{money(est.monthly_total):,}", style="bold")
    parts: list = [t]
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
    for i in est.items:
        out.append(f"| {i.component} | `{i.resource}` | {i.sku} | {_qty(i.quantity)} | {i.unit} | "
                   f"{_rate(i.unit_price)} | {money(i.monthly):,} |")
    out.append(f"| **Total** | | | | | | **{money(est.monthly_total):,}** |")
    if est.unpriced:
        out += ["", "Not priced:", *[f"- `{s.resource}` ({s.type}): {s.reason}" for s in est.unpriced]]
    if est.free:
        out += ["", "Free by nature:", *[f"- `{s.resource}`: {s.reason}" for s in est.free]]
    out += ["", *[f"_{line}_" for line in _footer(est)]]
    return "\n".join(out) + "\n"


def compare_markdown(a: str, b: str, delta: CostDelta) -> str:
    out = [f"| component | {a} | {b} | change |", "|---|---:|---:|---:|"]
    for comp, (x, y) in delta.by_component.items():
        out.append(f"| {comp} | {money(x):,} | {money(y):,} | {money(y - x):+,} |")
    out.append(f"| **Total** | **{money(delta.before):,}** | **{money(delta.after):,}** | **{money(delta.delta):+,}** |")
    return "\n".join(out) + "\n"


def phase_region_table(rows: Iterable[tuple[str, str, dict[str, Estimate]]], regions: list[str]) -> str:
    """Rows of (phase, the seeds' figure, {region: estimate})."""
    head = "| phase | seeds (us-central1 prices) | " + " | ".join(regions) + " |"
    out = [head, "|---|---|" + "---:|" * len(regions)]
    for phase, seed, by_region in rows:
        cells = " | ".join(f"${money(by_region[r].monthly_total):,}" for r in regions)
        out.append(f"| {phase} | {seed} | {cells} |")
    return "\n".join(out) + "\n"
