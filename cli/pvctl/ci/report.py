"""CiReport -> the pull-request comment (GitHub-flavoured markdown) or JSON. Pure functions, no I/O.

The first screen answers a reviewer's questions in order: the verdict, what changes in each
phase with its cost, what is destroyed or replaced, which policies fail, the per-resource cost
change, how to reproduce it and which run and commit this is. The details (every changed
attribute, step output, skipped checks, the fmt diff) follow in collapsed blocks. Resources
are lists, not tables: a 728-px comment column has no room for a wide table. The comment
starts with a hidden marker the workflow uses to replace its own earlier comment, and stays
under GitHub's comment limit by shortening the detail lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal

from pvctl.ci.drivers import PROFILE, CostDriver
from pvctl.ci.model import CiReport, CostResult, PhaseResult
from pvctl.offline.schema import PROVIDER_VERSION
from pvctl.planning.changes import UNKNOWN, AttributeChange, ResourceDiff
from pvctl.policy.checkov import Finding

MARKER = "<!-- pvctl-ci-report -->"
COMMENT_LIMIT = 65_536
ACTION_SIGN = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "forget": "⊘"}
ACTION_WORD = {"create": "create", "update": "update", "replace": "replace", "delete": "destroy", "forget": "forget"}
LEGEND = "Legend: " + " · ".join(f"`{sign}` {ACTION_WORD[action]}" for action, sign in ACTION_SIGN.items())
# Detail-list limits tried in turn until the comment fits.
ROW_BUDGETS = (None, 200, 50, 10, 0)
# Changed attributes named beside a resource's cost change.
COST_REASONS = 2
# Characters that would start emphasis, a link, a table cell or code; `_` only at a word's edge
# (GFM ignores it inside words like ssl_policy).
_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
STATUS_ICON = {"ok": "✅", "failed": "❌", "skipped": "➖"}


def _text(value: str) -> str:
    """Plain text in markdown: no accidental emphasis, links, tables or HTML."""
    return _SPECIAL.sub(r"\\\1", str(value)).replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _code(value: str) -> str:
    """An inline code span holding any text whole (a fence longer than any backtick run inside)."""
    text = str(value).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _money(value: Decimal) -> str:
    """An amount; a credit reads −$0.21 (the sign before the dollar, never $-0.21)."""
    cents = value.quantize(Decimal("0.01"))
    return f"{'−' if cents < 0 else ''}${abs(cents):,}"


def _signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else '−'}{_money(abs(value))}"


def _percent(value: Decimal | None) -> str:
    return "new" if value is None else f"{'+' if value >= 0 else '−'}{abs(value).quantize(Decimal('0.1'))}%"


def _cost_change(cost: CostResult) -> str:
    if cost.baseline is None or cost.delta is None:
        return f"{_money(cost.monthly)}/month"
    if not cost.delta.quantize(Decimal("0.01")):
        return f"{_money(cost.monthly)}/month, unchanged"
    pct = "" if not cost.baseline else f", {_percent(cost.percent)}"
    return f"{_money(cost.baseline)} → {_money(cost.monthly)}/month ({_signed(cost.delta)}{pct})"


def _counts(phase: PhaseResult) -> str:
    c = phase.counts
    parts = [(c.get("replace", 0), "replace"), (c.get("destroy", 0), "delete"), (c.get("change", 0), "update"), (c.get("add", 0), "create")]
    return " · ".join(f"`{ACTION_SIGN[action]}` {n} {ACTION_WORD[action]}" for n, action in parts if n)


def _reproduce(phase: PhaseResult) -> str:
    return (f"pvctl plan --phase {phase.phase}" + (f" --env {phase.environment}" if phase.environment else "")
            + (" --offline" if phase.mode == "offline" else ""))


def _problems(report: CiReport) -> list[str]:
    found = []
    if report.fmt and report.fmt.status == "failed":
        found.append("Terraform formatting: run `pvctl check --fix-fmt`")
    if report.code_scan and not report.code_scan.ok:
        found.append("policy findings in the Terraform code")
    for p in report.phases:
        # A failed policy step is the violation counted below, not a second problem.
        found += [
            f"{s.name} failed in {p.label}" + (f": {_text(s.summary)}" if s.summary else "") for s in p.failed_steps if s.name != "policy"
        ]
        if p.refused:
            found.append(f"guarded destroy/replace in {p.label}")
        if p.policy and not p.policy.ok:
            found.append(f"policy violation in {p.label}")
    return found


def verdict(report: CiReport) -> str:
    if not report.ok:
        problems = _problems(report)
        return f"❌ pvctl: {len(problems)} problem{'s' * (len(problems) != 1)}"
    if not report.has_changes and any(p.planned for p in report.phases):
        return "✅ pvctl: no changes — this pull request changes no infrastructure"
    return "✅ pvctl: all checks passed"


def _phase_label(p: PhaseResult) -> str:
    return f"**{p.label}**" + {"gating": "", "preview": " (promotion preview)", "skipped": ""}[p.role]


def _phase_lines(report: CiReport) -> list[str]:
    lines, unchanged = [], []
    for p in report.phases:
        if p.role == "skipped":
            lines.append(f"- **{p.label}**: {_text(p.note)}")
        elif not any(s.name == "plan" for s in p.steps):  # `pvctl check`: validated, not planned
            lines.append(
                f"- **{p.label}**: "
                + " · ".join(f"{s.name} {STATUS_ICON[s.status]}" + (f" ({_text(s.summary)})" if s.summary else "") for s in p.steps)
            )
        elif not p.planned:
            lines.append(f"- {_phase_label(p)}: not planned — the plan failed, see below")
        elif not p.has_changes and p.ok and not p.note:
            unchanged.append(p)
        else:
            what = _counts(p) or "no changes"
            cost = f" · {_cost_change(p.cost)}" if p.cost else ""
            line = f"- {_phase_label(p)}: {what}{cost}" + ("" if p.ok else " ❌")
            if p.note and p.role != "preview":
                line += f"  \n  {_text(p.note)}"
            lines.append(line)
    if unchanged:
        lines.append(f"- {', '.join(f'**{p.label}**' for p in unchanged)}: no changes")
    return lines


def _attribute(a: AttributeChange) -> str:
    mark = " — forces replacement" if a.forces_replacement else ""
    return f"{_code(a.path)}: {_code(a.before)} → {_code(a.after)}{mark}"


def _destructive(report: CiReport) -> list[str]:
    lines = []
    for p in report.phases:
        guarded = "\n".join(p.guard_warnings)
        for r in p.resources:
            if r.action not in ("replace", "delete"):
                continue
            line = f"- `{ACTION_SIGN[r.action]}` {_code(r.address)} ({p.label})"
            if r.action == "replace":
                forcing = [a for a in r.attributes if a.forces_replacement]
                line += ": replaced because " + ", ".join(_attribute(a) for a in forcing) if forcing else ": replaced"
            if r.address in guarded:
                line += " — ⚠️ holds data" + (
                    ", refused without `--allow-destroy`" if p.role == "gating" else ", informational in a preview"
                )
            lines.append(line)
        lines += [f"- ⚠️ {_text(w)} ({p.label})" for w in p.guard_warnings if "would shrink" in w]
    return lines


def _guideline(fix: str) -> str:
    return f"[guideline]({fix})" if fix.startswith(("https://", "http://")) else (f"fix: {_text(fix)}" if fix else "")


def _policy_failures(report: CiReport, limit: int | None) -> list[str]:
    """Failed checks grouped by check: one heading line with its guideline, the resources beneath."""
    scans = ([report.code_scan] if report.code_scan else []) + [p.policy for p in report.phases if p.policy]
    groups: dict[str, list[tuple[Finding, str]]] = {}
    for scan in scans:
        for f in scan.failed:
            groups.setdefault(f.check_id, []).append((f, scan.target))
    lines = []
    for check, found in sorted(groups.items()):
        first = found[0][0]
        guide = _guideline(first.fix)
        lines.append(f"- **{_code(check)}** {_text(first.name)}" + (f" — {guide}" if guide else ""))
        for f, target in found[:limit]:
            lines.append(f"  - {_code(f.resource)} at {_code(f'{f.file}:{f.line}')} ({_text(target)})")
        lines += [f"  - {m}" for m in _more(len(found), limit)]
    for scan in scans:
        if scan.parsing_errors:
            lines.append(f"- checkov could not parse ({_text(scan.target)}): " + ", ".join(_code(e) for e in scan.parsing_errors))
        lines += [f"- {_code(s.check_id)} on {_code(s.resource)} is skipped with **no reason** ({_text(scan.target)}): "
                  "add `:reason` to the skip comment" for s in scan.unexplained_skips]
    return lines


def _cost_lines(report: CiReport, limit: int | None) -> list[str]:
    lines = []
    for p in report.phases:
        if p.role != "gating" or not p.cost or not p.cost.resources:
            continue
        diffs = {r.address: r for r in p.resources}
        lines.append(f"- **{p.label}** (against {_text(p.cost.baseline_label)}):")
        for c in p.cost.resources[:limit]:
            why = _why(diffs.get(c.resource), p.cost.drivers.get(c.resource, ()))
            lines.append(f"  - {_code(c.resource)}{why}: {_money(c.before)} → {_money(c.after)} "
                         f"({_signed(c.delta)}/month, {_percent(c.percent)})")
        lines += [f"  - {m}" for m in _more(len(p.cost.resources), limit)]
    return lines


def _why(diff: ResourceDiff | None, drivers: Iterable[CostDriver]) -> str:
    """What drives a resource's cost change: that it comes or goes, or the changes that move its price
    most (its own attributes, another resource's, the usage profile); nothing where none is known."""
    if diff is not None and diff.action == "create":
        return " (new)"
    if diff is not None and diff.action == "delete":
        return " (destroyed)"
    shown = list(drivers)[:COST_REASONS]
    return "" if not shown else " " + ", ".join(
        f"{PROFILE if d.what == PROFILE else _code(d.what)} {_code(d.before)} → {_code(d.after)}" for d in shown)


def _more(total: int, limit: int | None) -> list[str]:
    if limit is not None and total > limit:
        return [f"… and {total - limit} more (see the full report in the artifact)"]
    return []


def _footer(report: CiReport) -> list[str]:
    reproduce = sorted({_reproduce(p) for p in report.phases if p.role == "gating" and p.planned and (p.has_changes or not p.ok)})
    parts = [f"reproduce: {', '.join(_code(c) for c in reproduce)}"] if reproduce else []
    if report.run and report.run.url:
        parts.append(f"[workflow run]({report.run.url})")
    if report.run and report.run.commit:
        parts.append(f"commit {_code(report.run.commit[:12])}")
    notes = [LEGEND + "."]
    if report.basis:
        notes.append(_text(report.basis))
    if any(p.mode == "offline" for p in report.phases if p.planned):
        notes.append(f"The stand-in for hashicorp/google follows the provider {PROVIDER_VERSION} schema.")
    if report.prices_as_of:
        notes.append(f"Prices: list prices as of {report.prices_as_of}, USD/month, at each phase's usage profile.")
    return (["", " · ".join(parts)] if parts else []) + ["", f"<sub>{' '.join(notes)}</sub>"]


def _resource_item(r: ResourceDiff, limit: int | None) -> list[str]:
    lines = [f"- `{ACTION_SIGN.get(r.action, r.action)}` {_code(r.address)}"]
    attributes, later = list(r.attributes), []
    if r.action == "replace":
        # A replacement's computed attributes are all new: name them, the forcing ones come first.
        later = [a for a in attributes if a.after == UNKNOWN and not a.forces_replacement]
        attributes = sorted((a for a in attributes if a not in later), key=lambda a: not a.forces_replacement)
    for a in attributes[:limit]:
        lines.append(f"  - {_attribute(a)}")
    lines += [f"  - {m}" for m in _more(len(attributes), limit)]
    if r.action == "replace" and later:
        lines.append("  - known only after apply: " + ", ".join(_code(a.path) for a in later))
    return lines


def _details(summary: str, body: list[str], open_: bool = False) -> list[str]:
    # Blank lines around the body: GitHub renders markdown inside <details> only after one.
    return ["", "<details open>" if open_ else "<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def _phase_details(p: PhaseResult, limit: int | None) -> list[str]:
    body: list[str] = []
    for r in p.resources[:limit]:
        body += _resource_item(r, limit)
    body += _more(len(p.resources), limit)
    count = len(p.resources)
    title = f"<b>{p.label}</b>{' (promotion preview)' if p.role == 'preview' else ''}: {count} resource change{'s' * (count != 1)}"
    if p.role == "preview" and p.note:
        body = [_text(p.note), ""] + body
    return _details(title, body)


def _step_output(report: CiReport) -> list[str]:
    lines = []
    for p in report.phases:
        for s in p.failed_steps:
            if s.details:
                fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", s.details)), default=0) + 1)
                lines += _details(f"{p.label}: {s.name} output", [fence, s.details, fence], open_=True)
    return lines


def _skipped(report: CiReport, limit: int | None) -> list[str]:
    """Skipped checks once, however many scans saw them: the skip is in the HCL, not in a phase."""
    scans = ([report.code_scan] if report.code_scan else []) + [p.policy for p in report.phases if p.policy]
    seen: dict[tuple[str, str], Finding] = {}
    for scan in scans:
        for s in scan.skipped:
            if s not in scan.unexplained_skips:
                # One skip comment in the HCL, seen by the code scan and every phase's plan scan.
                seen.setdefault((s.check_id, f"{s.file}:{s.line}" if s.file else s.resource), s)
    if not seen:
        return []
    items = sorted(seen.values(), key=lambda s: (s.check_id, s.file, s.line, s.resource))
    body = [f"- {_code(s.check_id)} on {_code(s.resource)}" + (f" ({_code(f'{s.file}:{s.line}')})" if s.file else "")
            + f": {_text(s.skip_reason)}" for s in items[:limit]] + _more(len(items), limit)
    return _details(f"Skipped checks ({len(items)}, each with its reason in the HCL)", body)


def _section(title: str, lines: Iterable[str]) -> list[str]:
    body = list(lines)
    return ["", f"#### {title}", "", *body] if body else []


def _render(report: CiReport, limit: int | None) -> str:
    lines = [MARKER, f"### {verdict(report)}"]
    if not report.ok:
        lines += [""] + [f"- {p}" for p in _problems(report)]
    lines += _section("What changes", _phase_lines(report))
    lines += _section("Destroyed or replaced", _destructive(report))
    lines += _section("Policy failures", _policy_failures(report, limit))
    lines += _section("Cost change by resource", _cost_lines(report, limit))
    lines += _footer(report)
    for p in report.phases:
        if p.resources:
            lines += _phase_details(p, limit)
    lines += _step_output(report)
    if report.fmt and report.fmt.status == "failed" and report.fmt.details:
        lines += _details("terraform fmt diff", ["```diff", report.fmt.details.replace("```", "ʼʼʼ"), "```"])
    lines += _skipped(report, limit)
    return "\n".join(lines) + "\n"


def render_markdown(report: CiReport, limit: int = COMMENT_LIMIT) -> str:
    """The comment body, never longer than `limit` characters."""
    pointer = f"\n> ✂️ Report shortened to fit a GitHub comment: the full report and the masked plans are in {report.artifact_hint}.\n"
    for rows in ROW_BUDGETS:
        text = _render(report, rows)
        if rows is None and len(text) <= limit:
            return text
        if rows is not None and len(text) + len(pointer) <= limit:
            return text + pointer
    # Even without detail lists it is too long (e.g. a huge fmt diff): cut, close any open block, point on.
    closing = "\n```\n\n</details>\n"
    return text[: limit - len(pointer) - len(closing)] + closing + pointer


def render_json(report: CiReport) -> str:
    return json.dumps(report.as_json(), indent=2, default=str)


def should_comment(report: CiReport, quiet_when_unchanged: bool) -> bool:
    """A new comment is worth posting unless nothing changed, all passed and the repo asked for quiet."""
    return not (quiet_when_unchanged and report.ok and not report.has_changes)
