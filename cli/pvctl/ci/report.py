"""CiReport -> the pull-request comment (markdown) or JSON. Pure functions, no I/O.

The comment puts the verdict and per-phase totals first, then one collapsible block
per phase. It stays under GitHub's comment limit by shortening the per-phase tables,
and starts with a hidden marker the workflow uses to update its own earlier comment.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pvctl.ci.model import CiReport, PhaseResult, StepResult
from pvctl.offline.schema import PROVIDER_VERSION
from pvctl.policy.checkov import Finding, PolicyScan

MARKER = "<!-- pvctl-ci-report -->"
COMMENT_LIMIT = 65_536
STATUS_ICON = {"ok": "✅", "failed": "❌", "skipped": "➖", "unavailable": "⚠️"}
ACTION_SIGN = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "forget": "⊘"}
# Row limits tried in turn until the comment fits.
ROW_BUDGETS = (None, 200, 50, 10, 0)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def _signed(value: Decimal) -> str:
    sign = "+" if value >= 0 else "−"
    return f"{sign}{_money(abs(value))}"


def _counts(phase: PhaseResult) -> str:
    c = phase.counts
    if not phase.planned:
        return "not planned"
    if not phase.resources:
        return "no changes"
    return f"+{c.get('add', 0)} ~{c.get('change', 0)} -{c.get('destroy', 0)} ±{c.get('replace', 0)}"


def _problems(report: CiReport) -> list[str]:
    found = []
    if report.fmt and report.fmt.status == "failed":
        found.append("formatting")
    if report.code_scan and not report.code_scan.ok:
        found.append("policy findings in the Terraform code")
    for p in report.phases:
        # A failed policy step is the violation listed just below, not a second problem.
        found += [f"{s.name} failed in {p.phase}" for s in p.failed_steps if s.name != "policy"]
        if p.guard_warnings:
            found.append(f"guarded destroy/replace in {p.phase}")
        if p.policy and not p.policy.ok:
            found.append(f"policy violation in {p.phase}")
    return found


def verdict(report: CiReport) -> str:
    if report.ok:
        unchanged = not report.has_changes and any(p.planned for p in report.phases)
        return "✅ **pvctl: all checks passed**" + (" — no changes in any phase" if unchanged else "")
    problems = _problems(report)
    return f"❌ **pvctl: {len(problems)} problem{'s' * (len(problems) != 1)}** — " + "; ".join(problems)


def _summary_table(report: CiReport) -> list[str]:
    lines = ["| phase | plan | changes | monthly cost | Δ | checks |", "|---|---|---|---:|---:|:---:|"]
    for p in report.phases:
        cost = _money(p.cost.monthly) if p.cost else "—"
        delta = _signed(p.cost.delta) if p.cost and p.cost.delta is not None else "—"
        lines.append(f"| **{p.phase}** | {p.mode} | {_counts(p)} | {cost} | {delta} | {'✅' if p.ok else '❌'} |")
    return lines


def _footnote(report: CiReport) -> str:
    parts = []
    if report.prices_as_of:
        baseline = next((p.cost.baseline_label for p in report.phases if p.cost), "")
        parts.append(f"Prices as of {report.prices_as_of} (list prices, USD/month, each phase's usage profile); Δ is against {baseline}.")
    if any(p.mode == "offline" for p in report.phases):
        parts.append(f"Offline plans use pvctl's stand-in for hashicorp/google (provider {PROVIDER_VERSION} schema) and start from an "
                     "empty sandbox state: they show the whole phase, not the change to the live project.")
    return " ".join(parts)


def _steps_line(steps: list[StepResult]) -> str:
    return " · ".join(f"{s.name} {STATUS_ICON[s.status]}" + (f" ({_cell(s.summary)})" if s.summary and s.status != "ok" else "")
                      for s in steps)


def _findings_table(findings: list[Finding], limit: int | None) -> list[str]:
    lines = ["| check | resource | where | fix |", "|---|---|---|---|"]
    for f in findings[:limit]:
        lines.append(f"| `{f.check_id}` {_cell(f.name)} | `{_cell(f.resource)}` | `{f.file}:{f.line}` | {_cell(f.fix) or '—'} |")
    return lines + _more(len(findings), limit)


def _more(total: int, limit: int | None) -> list[str]:
    if limit is not None and total > limit:
        return ["", f"… and {total - limit} more (see the full report in the artifact)."]
    return []


def _scan_section(scan: PolicyScan, limit: int | None) -> list[str]:
    lines: list[str] = []
    if scan.failed:
        lines += ["", f"**Policy findings** ({scan.target})", ""] + _findings_table(scan.failed, limit)
    if scan.parsing_errors:
        lines += ["", "**checkov could not parse:** " + ", ".join(f"`{e}`" for e in scan.parsing_errors)]
    if scan.skipped:
        lines += ["", f"**Skipped checks** ({len(scan.skipped)}, each with its reason from the HCL)", "",
                  "| check | resource | reason |", "|---|---|---|"]
        for s in scan.skipped[:limit]:
            reason = s.skip_reason if s not in scan.unexplained_skips else "❌ **no reason given** — add `:reason` to the skip comment"
            lines.append(f"| `{s.check_id}` | `{_cell(s.resource)}` | {_cell(reason)} |")
        lines += _more(len(scan.skipped), limit)
    return lines


def _phase_details(p: PhaseResult, limit: int | None) -> list[str]:
    head = f"<b>{p.phase}</b> — {_counts(p)}" + (f", {_money(p.cost.monthly)}/month" if p.cost else "") + (" ✅" if p.ok else " ❌")
    lines = ["<details>" if p.ok else "<details open>", f"<summary>{head}</summary>", "", f"Steps: {_steps_line(p.steps)}"]
    for warning in p.guard_warnings:
        lines += ["", f"> ⚠️ **{_cell(warning)}**"]
    for s in p.failed_steps:
        if s.details:
            lines += ["", f"`{s.name}` output:", "", "```", s.details.replace("```", "ʼʼʼ"), "```"]
    if p.resources:
        lines += ["", "| resource | action | changed (sensitive values masked) |", "|---|:---:|---|"]
        for r in p.resources[:limit]:
            changed = "<br>".join(f"`{_cell(k)}`: {_cell(v)}" for k, v in r.changed) or ""
            lines.append(f"| `{_cell(r.address)}` | {ACTION_SIGN.get(r.action, r.action)} {r.action} | {changed} |")
        lines += _more(len(p.resources), limit)
    if p.policy:
        lines += _scan_section(p.policy, limit)
    return lines + ["", "</details>", ""]


def _render(report: CiReport, limit: int | None) -> str:
    lines = [MARKER, verdict(report), ""] + _summary_table(report)
    note = _footnote(report)
    if note:
        lines += ["", f"<sub>{note}</sub>"]
    if report.fmt and report.fmt.status == "failed":
        lines += ["", "**Formatting:** " + (report.fmt.summary or "terraform fmt found unformatted files") + " — run `pvctl check --fix-fmt` (or `terraform fmt -recursive`)."]
        if report.fmt.details:
            lines += ["", "<details><summary>fmt diff</summary>", "", "```diff", report.fmt.details.replace("```", "ʼʼʼ"), "```", "", "</details>"]
    if report.code_scan:
        section = _scan_section(report.code_scan, limit)
        if section:
            lines += ["", "<details><summary><b>Terraform code</b> (modules/ and environments/ as written)</summary>"] + section + ["", "</details>"]
    lines.append("")
    for phase in report.phases:
        lines += _phase_details(phase, limit)
    return "\n".join(lines)


def render_markdown(report: CiReport, limit: int = COMMENT_LIMIT) -> str:
    """The comment body, never longer than `limit` characters."""
    pointer = f"\n\n> ✂️ Report shortened to fit a GitHub comment: the full report and the masked plans are in {report.artifact_hint}.\n"
    for rows in ROW_BUDGETS:
        text = _render(report, rows)
        if rows is None and len(text) <= limit:
            return text
        if rows is not None and len(text) + len(pointer) <= limit:
            return text + pointer
    # Even without tables it is too long (e.g. a huge fmt diff): cut, close any open block, point on.
    closing = "\n```\n</details>\n"
    return text[: limit - len(pointer) - len(closing)] + closing + pointer


def render_json(report: CiReport) -> str:
    return json.dumps(report.as_json(), indent=2, default=str)


def should_comment(report: CiReport, quiet_when_unchanged: bool) -> bool:
    """A new comment is worth posting unless nothing changed, all passed and the repo asked for quiet."""
    return not (quiet_when_unchanged and report.ok and not report.has_changes)
