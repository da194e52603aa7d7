"""`pvctl ci`: every phase through validate, plan, policy scan and cost, then one report.

Phases run in threads. Terraform's plugin cache is not safe for concurrent `init`, so
inits take one lock; plans, checkov scans and cost estimates then run side by side.
All phases share one state, and these plans are never applied, so they run with
`-lock=false` instead of queueing on the state lock. fmt and the code scan run beside
the phases; the phases' plans are scanned in one checkov run once all are planned
(checkov's start-up costs more than a plan's scan); offline, every Terraform command of every phase reattaches to the run's one
stand-in provider server (`pvctl.offline.server`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pvctl.ci.costing import phase_cost
from pvctl.ci.model import CiReport, PhaseResult, Role
from pvctl.core.config import Config
from pvctl.core.errors import PvctlError, ToolError
from pvctl.core.repo import Mode
from pvctl.engine.session import OFFLINE_DB_PASSWORD, PhaseRun, SavedPlan, open_phase, resolve_mode
from pvctl.planning.masking import masked_plan
from pvctl.policy import validation
from pvctl.policy.checkov import PolicyScan, scan_directories, scan_plans
from pvctl.policy.step import StepResult

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


class _Quieted:
    """The progress lines of a run, silenced once it is ending on an interrupt: the phases' threads
    finish what they were doing, but say nothing more than pvctl's interrupt notes."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self.quiet = threading.Event()

    def __call__(self, line: str) -> None:
        if not self.quiet.is_set():
            self.say(line)


def _stop(pool: ThreadPoolExecutor, say: _Quieted) -> None:
    """On an interrupt, at once: every running Terraform and checkov gets its one interrupt, no new
    phase or step starts, and the phases' threads are waited for (Terraform stops cleanly)."""
    from pvctl.engine.terraform import stop_children

    say.quiet.set()
    stop_children()
    say.say("interrupt received; the running Terraform and checkov runs were told to stop, "
            "no further step starts")
    pool.shutdown(wait=True, cancel_futures=True)


def _diagnostics(lines: list[str]) -> str:
    """Terraform's error blocks from a phase's output: the report shows these, not the plan text."""
    first = next((i for i, line in enumerate(lines) if "Error: " in line), None)
    return "" if first is None else "\n".join(lines[first:first + LOG_TAIL])


def _open(config: Config, phase: str, mode: Mode, terraform: str | None) -> PhaseRun:
    # The admin password feeds a write-only argument: a review plan shows no diff for it, so CI
    # neither needs nor holds the real one.
    return open_phase(config, phase, mode, terraform, to_stderr=True, password=OFFLINE_DB_PASSWORD)


def _plan(run: PhaseRun, plan_file: Path, log_path: Path, apply: bool = False) -> tuple[SavedPlan | None, StepResult]:
    """Plan one phase beside the others (and apply it: the base sandbox): inits one at a time,
    Terraform's output to the phase's log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    step = "plan"
    with open(log_path, "w", encoding="utf-8") as log:
        def sink(line: str) -> None:
            lines.append(line)
            log.write(line + "\n")

        try:
            # An applied state must take the lock; a review plan is never applied and need not.
            saved = run.plan(plan_file, lock_state=apply, init_lock=INIT_LOCK, line_sink=sink)
            if apply:
                step = "apply"
                run.apply(saved, line_sink=sink)
        except PvctlError as exc:
            return None, StepResult(step, "failed", exc.what, _diagnostics(lines))
    return saved, StepResult(step, "ok")


def _guard_warnings(config: Config, phase: str, saved: SavedPlan) -> list[str]:
    from pvctl.planning import guards

    found = guards.evaluate_for(config, phase, saved.plan, saved.state_outputs)
    warnings = [f"{c.address} would be {'deleted' if c.action == 'delete' else 'replaced'}: it holds data "
                f"(`pvctl plan --phase {phase} --allow-destroy` is needed to go ahead)" for c in found.destructive]
    if found.downgrade:
        warnings.append(f"the state was last applied by phase {found.applied_phase}; planning {phase} would shrink the running system")
    return warnings


@dataclass(frozen=True)
class _Start:
    """What a phase's head plan starts from."""

    config: Config                 # the user's, or one whose offline state is the base applied
    label: str                     # the cost baseline: "base main", "the live state", "the sandbox state"
    note: str = ""                 # said in the report when the plan cannot show the change alone


def _start(config: Config, phase: str, mode: Mode, opts: CiOptions, out_dir: Path, base: Future | None) -> _Start:
    if mode == "live":
        return _Start(config, "the live state")
    if base is None:
        return _Start(config, "the sandbox state")
    try:
        return _Start(dataclasses.replace(config, sandbox_state=base.result()), f"base {opts.base_ref}")
    except PvctlError as exc:
        empty = out_dir / "empty" / phase / "terraform.tfstate"
        shutil.rmtree(empty.parent, ignore_errors=True)
        return _Start(dataclasses.replace(config, sandbox_state=empty), "an empty state",
                      f"the base branch could not be applied ({exc.what}): this plan shows the whole phase")


def _run_phase(config: Config, phase: str, mode: Mode, role: Role, opts: CiOptions, out_dir: Path,
               base: Future | None, baseline_phases: Path | None, say: Say) -> tuple[PhaseResult, Path | None]:
    """Validate, plan and cost one phase; returns the plan JSON to scan (`_scan_plans`), if planned."""
    from pvctl.engine.saved_plan import json_of
    from pvctl.planning import guards
    from pvctl.planning.changes import resource_diffs
    from pvctl.planning.summary import summarize

    result = PhaseResult(phase, mode, role=role)
    result.steps.append(validation.validate_phase(config, phase, opts.terraform))
    start = _start(config, phase, mode, opts, out_dir, base)
    result.note = start.note
    run = _open(start.config, phase, mode, opts.terraform)
    plan_file = (out_dir / "plans" / f"{phase}.tfplan").resolve()
    saved, step = _plan(run, plan_file, out_dir / "logs" / f"{phase}.log")
    result.steps.append(step)
    if saved is None:
        say(f"{phase}: plan failed — {step.summary}")
        return result, None
    plan = saved.plan
    result.resources = resource_diffs(plan)
    result.counts = summarize(plan, phase).counts
    result.guard_warnings = _guard_warnings(config, phase, saved)
    (out_dir / f"plan-{phase}.json").write_text(json.dumps(masked_plan(plan), indent=1), encoding="utf-8")
    say(f"{phase}: planned ({len(result.resources)} changes)")
    try:
        result.cost = phase_cost(config, phase, plan, start.label, baseline_phases,
                                 guards.applied_phase(saved.state_outputs)[0])
        result.steps.append(StepResult("cost", "ok"))
    except PvctlError as exc:
        result.steps.append(StepResult("cost", "failed", exc.what))
    return result, json_of(plan_file)


def _scan_plans(config: Config, planned: dict[str, tuple[PhaseResult, Path | None]], say: Say) -> None:
    """The policy step of every planned phase, from one checkov run over all their plans."""
    plans = {phase: plan_json for phase, (_, plan_json) in planned.items() if plan_json is not None}
    scans: dict[Path, PolicyScan] = {}
    failure = ""
    if plans:
        say(f"checkov: scanning the plans of {', '.join(plans)}")
        try:
            scans = scan_plans(config.repo_root, list(plans.values()))
        except PvctlError as exc:
            failure = exc.what
    for phase, plan_json in plans.items():
        result = planned[phase][0]
        scan = scans.get(plan_json)
        if scan is None:
            step = StepResult("policy", "failed", failure)
        else:
            result.policy = scan
            bad = len(scan.failed) + len(scan.unexplained_skips)
            step = StepResult("policy", "ok" if scan.ok else "failed", f"{bad} finding(s)" if bad else "")
        result.steps.insert(next(i for i, s in enumerate(result.steps) if s.name == "plan") + 1, step)  # before cost
        say(f"{phase}: {'ok' if result.ok else 'FAILED'}")


def _base_sandbox(config: Config, phase: str, base_root: Path, opts: CiOptions, out_dir: Path, say: Say) -> Path:
    """The base branch's configuration of the phase applied, offline, to a sandbox state of its own.

    Kept under the extracted base commit (`<base>/.pvctl/applied/<phase>/`), apart from the user's
    sandbox, and reused while the base commit and the phase's rendered inputs stay the same.
    """
    from pvctl.ci.base import base_phases_file
    from pvctl.core.files import write_atomic

    state = base_root / ".pvctl" / "applied" / phase / "terraform.tfstate"
    stamp = state.with_name("inputs.sha256")
    base_config = dataclasses.replace(config, repo_root=base_root, phases_file=base_phases_file(base_root), sandbox_state=state)
    run = _open(base_config, phase, "offline", opts.terraform)
    run.render()
    inputs = hashlib.sha256(run.paths.tfvars(phase).read_bytes()).hexdigest()
    if state.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == inputs:
        say(f"{phase}: base {opts.base_ref} already applied in its sandbox")
        return state
    shutil.rmtree(state.parent, ignore_errors=True)
    say(f"{phase}: applying base {opts.base_ref} in its sandbox")
    saved, step = _plan(run, (out_dir / "plans" / f"{phase}-base.tfplan").resolve(), out_dir / "logs" / f"{phase}-base.log", apply=True)
    if saved is None:
        raise ToolError(f"base {opts.base_ref}, phase {phase}: {step.summary}", "see the phase's -base log in the report folder")
    write_atomic(stamp, inputs)
    return state


def _extract(config: Config, ref: str, say: Say) -> Path | None:
    from pvctl.ci.base import extract_base

    try:
        return extract_base(config.repo_root, ref)
    except PvctlError as exc:
        say(f"no base branch: {exc.what}")
        return None


def _live_roles(config: Config, opts: CiOptions, say: Say) -> dict[str, tuple[Role, str]]:
    """The applied phase, from the one shared state's outputs, decides which phases are planned."""
    from pvctl.ci.roles import live_roles
    from pvctl.core.phases import load_phases
    from pvctl.planning.guards import applied_phase

    run = _open(config, opts.phases[0], "live", opts.terraform)
    lines: list[str] = []
    with INIT_LOCK:
        run.init(line_sink=lines.append)
    applied, _ = applied_phase(run.state_outputs())
    say(f"applied phase: {applied or 'none yet'}")
    return live_roles(opts.phases, applied, list(load_phases(config.phases_file)))


def _basis(mode: Mode, base_ref: str | None, base_root: Path | None, roles: dict[str, tuple[Role, str]]) -> str:
    if mode == "live":
        gating = [p for p, (role, _) in roles.items() if role == "gating"]
        return (f"Live plans against the project's state: {', '.join(gating) or 'no phase'} gates the check "
                "(the applied phase); the next phase is a promotion preview.")
    if base_root is not None:
        return (f"Offline plans (stand-in provider) against base {base_ref} applied in a sandbox: "
                "each phase shows only what this change does to it.")
    why = f"base {base_ref} is unavailable" if base_ref else "no base branch given (--base)"
    return (f"Offline plans (stand-in provider) with {why}: each phase is planned against this machine's sandbox "
            "state (empty on a CI runner), so it shows the whole phase rather than the change.")


def run_ci_environments(configs: Sequence[Config], opts: CiOptions, say: Say) -> CiReport:
    """`pvctl ci` over each environment's configuration, in one report.

    The repository-wide checks (fmt, the code scan) run once; each environment's plans, logs
    and masked plan files go to its own folder, out_dir/env/<name>/.
    """
    out_root = (opts.out_dir or configs[0].repo_root / ".pvctl" / "ci").resolve()
    reports = []
    for i, config in enumerate(configs):
        if config.environment is not None:
            say(f"environment {config.environment} (project {config.project_id})")
        own = opts if config.environment is None else dataclasses.replace(opts, out_dir=out_root / "env" / config.environment)
        report = run_ci(config, own, say, repo_checks=i == 0)
        for phase in report.phases:
            phase.environment = config.environment
        reports.append(report)
    first = reports[0]
    bases = {r.basis for r in reports}
    basis = first.basis if len(bases) == 1 else " ".join(f"{c.environment}: {r.basis}" for c, r in zip(configs, reports, strict=True))
    return CiReport([p for r in reports for p in r.phases], code_scan=first.code_scan, fmt=first.fmt,
                    base_ref=opts.base_ref, basis=basis)


def run_ci(config: Config, opts: CiOptions, say: Say, repo_checks: bool = True) -> CiReport:
    """One configuration's phases; `repo_checks`: also fmt and the code scan (the same for every environment)."""
    from pvctl.core.phases import get_phase
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.policy.fmt import fmt_check

    for phase in opts.phases:
        get_phase(phase, config.phases_file, "--phases")
    mode, reason = resolve_mode(opts.offline, auto=True, from_example=config.from_example)
    if reason:
        say(reason)
    out_dir = (opts.out_dir or config.repo_root / ".pvctl" / "ci").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    say = quieted = _Quieted(say)

    def fmt() -> StepResult:
        step = fmt_check(TerraformRunner(find_terraform(opts.terraform, config.repo_root)), config.repo_root)
        say(f"fmt: {step.status}")
        return step

    base_root = _extract(config, opts.base_ref, say) if opts.base_ref else None
    baseline_phases = None
    if base_root is not None:
        from pvctl.ci.base import base_phases_file

        baseline_phases = base_phases_file(base_root)
    roles = _live_roles(config, opts, say) if mode == "live" else {p: ("gating", "") for p in opts.phases}
    planned = [p for p in opts.phases if roles[p][0] != "skipped"]
    with_base = base_root is not None and mode == "offline"
    # The repository-wide checks run beside the phases' plans: none waits for another.
    pool = ThreadPoolExecutor(max_workers=len(planned) * (2 if with_base else 1) + 2, thread_name_prefix="pvctl-ci")
    try:
        code_scan = pool.submit(scan_directories, config.repo_root,
                                [config.repo_root / "modules", config.repo_root / "environments"], say) if repo_checks else None
        fmt_step = pool.submit(fmt) if repo_checks else None
        bases = {p: pool.submit(_base_sandbox, config, p, base_root, opts, out_dir, say) if with_base and base_root else None
                 for p in planned}
        futures = {p: pool.submit(_run_phase, config, p, mode, roles[p][0], opts, out_dir, bases[p], baseline_phases, say)
                   for p in planned}
        done = {p: future.result() for p, future in futures.items()}
        _scan_plans(config, done, say)
        results = []
        for p in opts.phases:
            role, why = roles[p]
            if p in done:
                result = done[p][0]
                result.note = result.note or why
            else:
                result = PhaseResult(p, mode, [validation.validate_phase(config, p, opts.terraform)], role=role, note=why)
            results.append(result)
        scan = code_scan.result() if code_scan is not None else None
        fmt_result = fmt_step.result() if fmt_step is not None else None
    except KeyboardInterrupt:
        _stop(pool, quieted)
        raise
    finally:
        pool.shutdown()  # also when a step raised: its siblings end before the error is reported
    return CiReport(results, code_scan=scan, fmt=fmt_result, base_ref=opts.base_ref, basis=_basis(mode, opts.base_ref, base_root, roles))
