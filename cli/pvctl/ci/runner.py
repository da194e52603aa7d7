"""`pvctl ci`: every phase through validate, plan, policy scan and cost, then one report.

Phases run in threads. Terraform's plugin cache is not safe for concurrent `init`, so
inits take one lock; plans, checkov scans and cost estimates then run side by side.
All phases share one state, and these plans are never applied, so they run with
`-lock=false` instead of queueing on the state lock.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pvctl.ci.costing import BasePlan, phase_cost
from pvctl.ci.model import CiReport, PhaseResult, StepResult
from pvctl.ci.plan_rows import resource_rows
from pvctl.core.config import Config
from pvctl.core.errors import PvctlError, ToolError
from pvctl.engine.session import PhaseRun, SavedPlan, open_phase, resolve_mode
from pvctl.planning.masking import masked_plan
from pvctl.policy import validation
from pvctl.policy.checkov import scan_directories, scan_plan

INIT_LOCK = threading.Lock()
Say = Callable[[str], None]
LOG_TAIL = 30


@dataclass
class CiOptions:
    phases: Sequence[str]
    offline: bool = False                 # force offline; otherwise offline only without credentials
    base_ref: str | None = None
    terraform: str | None = None
    out_dir: Path | None = None           # default <repo>/.pvctl/ci


def _diagnostics(lines: list[str]) -> str:
    """Terraform's error blocks from a phase's output: the report shows these, not the plan text."""
    first = next((i for i, line in enumerate(lines) if "Error: " in line), None)
    return "" if first is None else "\n".join(lines[first:first + LOG_TAIL])


def _open(config: Config, phase: str, mode: str, terraform: str | None) -> PhaseRun:
    # The admin password feeds a write-only argument: a review plan shows no diff for it, so CI
    # neither needs nor holds the real one.
    return open_phase(config, phase, mode, terraform, to_stderr=True, password="placeholder")


def _plan(run: PhaseRun, plan_file: Path, log_path: Path) -> tuple[SavedPlan | None, StepResult]:
    """Plan one phase beside the others: inits one at a time, Terraform's output to the phase's log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        def sink(line: str) -> None:
            lines.append(line)
            log.write(line + "\n")

        try:
            saved = run.plan(plan_file, lock_state=False, init_lock=INIT_LOCK, line_sink=sink)
        except PvctlError as exc:
            return None, StepResult("plan", "failed", exc.what, _diagnostics(lines))
    return saved, StepResult("plan", "ok")


def _guard_warnings(config: Config, phase: str, saved: SavedPlan) -> list[str]:
    from pvctl.core.phases import get_phase
    from pvctl.planning import guards

    found = guards.evaluate(saved.plan, saved.state_outputs, get_phase(phase).order, config.extra_stateful_types, config.state_bucket)
    warnings = [f"{c.address} would be {'deleted' if c.action == 'delete' else 'replaced'}: it holds data "
                f"(`pvctl plan --phase {phase} --allow-destroy` is needed to go ahead)" for c in found.destructive]
    if found.downgrade:
        warnings.append(f"the state was last applied by phase {found.applied_phase}; planning {phase} would shrink the running system")
    return warnings


def _run_phase(config: Config, phase: str, mode: str, opts: CiOptions, out_dir: Path,
               base_plan: Future | None, say: Say) -> PhaseResult:
    from pvctl.planning import guards
    from pvctl.planning.saved_plan import json_of
    from pvctl.planning.summary import summarize

    result = PhaseResult(phase, mode)
    result.steps.append(validation.validate_phase(config, phase, opts.terraform))
    run = _open(config, phase, mode, opts.terraform)
    plan_file = (out_dir / "plans" / f"{phase}.tfplan").resolve()
    saved, step = _plan(run, plan_file, out_dir / "logs" / f"{phase}.log")
    result.steps.append(step)
    if saved is None:
        say(f"{phase}: plan failed — {step.summary}")
        return result
    plan = saved.plan
    result.resources = resource_rows(plan)
    result.counts = summarize(plan, phase).counts
    result.guard_warnings = _guard_warnings(config, phase, saved)
    (out_dir / f"plan-{phase}.json").write_text(json.dumps(masked_plan(plan), indent=1), encoding="utf-8")
    say(f"{phase}: planned ({len(result.resources)} changes), scanning the plan")

    try:
        result.policy = scan_plan(config.repo_root, json_of(plan_file))
        bad = len(result.policy.failed) + len(result.policy.unexplained_skips)
        result.steps.append(StepResult("policy", "ok" if result.policy.ok else "failed", f"{bad} finding(s)" if bad else ""))
    except PvctlError as exc:
        result.steps.append(StepResult("policy", "failed", exc.what))

    base = None
    if base_plan is not None:
        try:
            base = base_plan.result()
        except PvctlError as exc:
            say(f"{phase}: no base plan, comparing with the current state instead ({exc.what})")
    try:
        result.cost = phase_cost(config, phase, plan, base, guards.applied_phase(saved.state_outputs)[0])
        result.steps.append(StepResult("cost", "ok"))
    except PvctlError as exc:
        result.steps.append(StepResult("cost", "failed", exc.what))
    say(f"{phase}: {'ok' if result.ok else 'FAILED'}")
    return result


def _base_plan(config: Config, phase: str, opts: CiOptions, out_dir: Path) -> BasePlan:
    """The base branch's plan of the phase, offline: its cost depends on the code, not on live state.

    Rendered from the base commit's own phases.toml, so a change to the phase defaults shows in Δ.
    """
    from pvctl.ci.base import base_phases_file, extract_base

    assert opts.base_ref is not None
    base_root = extract_base(config.repo_root, opts.base_ref)
    phases = base_phases_file(base_root)
    run = _open(dataclasses.replace(config, repo_root=base_root, phases_file=phases), phase, "offline", opts.terraform)
    saved, step = _plan(run, (out_dir / "plans" / f"{phase}-base.tfplan").resolve(), out_dir / "logs" / f"{phase}-base.log")
    if saved is None:
        raise ToolError(f"base {opts.base_ref}: {step.summary}", "the Δ falls back to the current state")
    return BasePlan(saved.plan, phases, f"base {opts.base_ref}")


def run_ci(config: Config, opts: CiOptions, say: Say) -> CiReport:
    from pvctl.core.phases import get_phase
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.policy.fmt import fmt_check

    for phase in opts.phases:
        get_phase(phase)
    mode, reason = resolve_mode(opts.offline, auto=True)
    if reason:
        say(reason)
    out_dir = (opts.out_dir or config.repo_root / ".pvctl" / "ci").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    fmt = fmt_check(TerraformRunner(find_terraform(opts.terraform, config.repo_root)), config.repo_root)
    say(f"fmt: {fmt.status}")
    workers = len(opts.phases) * (2 if opts.base_ref else 1) + 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pvctl-ci") as pool:
        code_scan = pool.submit(scan_directories, config.repo_root,
                                [config.repo_root / "modules", config.repo_root / "environments"], say)
        bases = {p: pool.submit(_base_plan, config, p, opts, out_dir) if opts.base_ref else None for p in opts.phases}
        phases = [pool.submit(_run_phase, config, p, mode, opts, out_dir, bases[p], say) for p in opts.phases]
        results = [f.result() for f in phases]
        scan = code_scan.result()
    return CiReport(results, code_scan=scan, fmt=fmt, base_ref=opts.base_ref)
