"""The human plan summary: counts, a table by module and type, loud stateful warnings."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from pvctl.core.console import Fitted
from pvctl.planning.changes import ResourceDiff
from pvctl.planning.guards import Findings
from pvctl.planning.masking import masked_change
from pvctl.planning.summary import PlanSummary

# Terraform's own action symbols keep the count columns narrow, leaving room for addresses.
_COLUMNS = (("create", "+", "green"), ("update", "~", "yellow"), ("replace", "-/+", "magenta"), ("delete", "-", "red"))


def _record(cells: list[str]) -> str:
    """A summary row on one line: `module  type  +2 ~1` (the counts lose their columns, so carry their symbol)."""
    module, rtype, *counts = cells
    return f"{module}  {rtype}  " + " ".join(f"{symbol}{n}" for (_, symbol, _), n in zip(_COLUMNS, counts, strict=True) if n)


def counts_line(summary: PlanSummary) -> str:
    c = summary.counts
    return f"{c['add']} to add, {c['change']} to change, {c['replace']} to replace, {c['destroy']} to destroy"


def print_summary(console: Console, summary: PlanSummary, findings: Findings | None, plan_file: str | None,
                  diffs: Sequence[ResourceDiff] = ()) -> None:
    if not summary.has_changes:
        console.print(f"[bold]Phase {summary.phase}:[/] no changes — the infrastructure matches the configuration.")
    else:
        console.print(f"[bold]Phase {summary.phase}:[/] {counts_line(summary)}.")
        table = Table(show_edge=False, header_style="bold", caption="+ add   ~ change   -/+ replace   - destroy", caption_justify="left")
        table.add_column("module")
        table.add_column("resource type")
        for _, header, colour in _COLUMNS:
            table.add_column(header, justify="right", style=colour)
        for (module, rtype), counter in summary.groups.items():
            table.add_row(module or "(root)", rtype, *[str(counter[action]) if counter[action] else "" for action, _, _ in _COLUMNS])
        console.print(Fitted(table, _record), crop=False)
        print_attribute_changes(console, diffs)
    if findings is not None:
        print_warnings(console, findings)
    if plan_file:
        console.print(f"Saved plan: {plan_file}")


def print_attribute_changes(console: Console, diffs: Sequence[ResourceDiff]) -> None:
    """What each update or replacement changes, one attribute per line (Terraform's plan text is in the log)."""
    for diff in diffs:
        if not diff.attributes and not diff.replaced_because:
            continue
        symbol = next(s for action, s, _ in _COLUMNS if action == diff.action)
        console.print(f"{symbol} {diff.address}", markup=False, highlight=False, soft_wrap=True)
        for attribute in diff.attributes:
            reason = "  (forces replacement)" if attribute.forces_replacement else ""
            console.print(f"    {attribute.line()}{reason}", markup=False, highlight=False, soft_wrap=True)


def print_warnings(console: Console, findings: Findings) -> None:
    if findings.destructive:
        lines = []
        for c in findings.destructive:
            before = masked_change(c.raw)["before"] or {}
            name = before.get("name") if isinstance(before, dict) else None
            lines.append(f"{c.action.upper():8} {c.address}" + (f"  (name: {name})" if name else ""))
        body = (
            "\n".join(lines)
            + "\n\nData in these resources is lost. Deletion protection should stop Cloud SQL; check why Terraform wants this."
        )
        console.print(Panel(body, title="STATEFUL RESOURCES WOULD BE DELETED OR REPLACED", border_style="bold red", expand=False))
    if findings.downgrade:
        console.print(
            Panel(
                f"The state was last applied by phase {findings.applied_phase} (order {findings.applied_order}).\n"
                f"Applying a lower phase shrinks or removes what the higher phase added.",
                title="PHASE DOWNGRADE",
                border_style="bold red",
                expand=False,
            )
        )
