"""One phase, one mode: render, init, plan, show, apply and read outputs through Terraform."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pvctl.core import console
from pvctl.core.config import Config
from pvctl.core.credentials import find_credentials
from pvctl.core.errors import ConfigError, GuardRefusal, Interrupted, ToolError
from pvctl.core.files import make_private, private_dir
from pvctl.core.render import Rendered, local_state_path, render_phase
from pvctl.core.repo import Mode, RepoPaths, config_files
from pvctl.core.statefile import backup_of, check_local_state
from pvctl.engine import saved_plan
from pvctl.engine.terraform import RunResult, TerraformRunner, find_terraform

# Offline, targeted and review plans never set the password; the value only satisfies the ephemeral input.
OFFLINE_DB_PASSWORD = "offline-placeholder-not-a-secret"
STALE_MARKER = "Saved plan is stale"
OFFLINE_INIT_WORKSPACE = "pvctl-offline-init"   # never holds state
INIT_MARKER = "pvctl-init.sha256"  # in TF_DATA_DIR: what the last successful init was made from
LineSink = Callable[[str], None]
# How long plan and apply wait for a state lock another command holds (Terraform's -lock-timeout).
LOCK_TIMEOUT_ENV = "PVCTL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 300  # seconds: long enough for another plan, short enough to notice a forgotten one
LOCK_WAIT_MARKER = "Acquiring state lock"  # Terraform prints it once the lock has not come within a moment
LOCK_FAILED_MARKER = "Error acquiring the state lock"


def resolve_mode(offline: bool, auto: bool, from_example: bool = False) -> tuple[Mode, str | None]:
    """offline when asked; for plans (auto) also without Google credentials or a real pvctl.toml.

    Returns the mode and, for an automatic switch, the reason to print.
    """
    if offline:
        return "offline", None
    if auto and from_example:
        return "offline", "planning offline: the configuration is the committed example, not your pvctl.toml"
    if find_credentials() is not None:
        return "live", None
    if auto:
        return "offline", "no Google credentials found, planning offline"
    raise ConfigError(
        [
            (
                "credentials",
                "no Google credentials found (GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_OAUTH_ACCESS_TOKEN, gcloud ADC)",
                "run `gcloud auth application-default login`, or pass --offline to work on the local sandbox state",
            )
        ]
    )


# What Terraform says as it takes an interrupt (internal/command/meta.go, the local backend's stop).
_INTERRUPT_NOTICE = ("Interrupt received.", "Please wait for Terraform to exit", "Gracefully shutting down", "Stopping operation")


_PLAN_END = re.compile(r"Plan: \d+ to \w+|Changes to Outputs:$")  # the paragraphs that end a plan's text


class _Tail:
    """Terraform's last paragraphs, for what pvctl shows after an interrupt. A paragraph that repeats the
    one before (an error every halted evaluation reports) is counted rather than kept again, so its count
    is true and repeats take no room. A plan Terraform had begun printing is dropped once its end arrives
    ("Plan: N to add" counts only what it reached; the log keeps every line), but not the errors, warnings
    and interrupt notice among it."""

    def __init__(self, paragraphs: int = 12, lines: int = 40) -> None:
        self._done: deque[list[Any]] = deque(maxlen=paragraphs)  # [lines, count]
        self._current: deque[str] = deque(maxlen=lines)
        self._lines = lines

    def add(self, line: str) -> None:
        if line.strip():
            self._current.append(line)
        elif self._current:
            self._close()

    def _close(self) -> None:
        paragraph, self._current = list(self._current), deque(maxlen=self._lines)
        if _PLAN_END.match(paragraph[0]):
            kept = [done for done in self._done if done[0][0].startswith(("Error: ", "Warning: ", *_INTERRUPT_NOTICE))]
            self._done = deque(kept, maxlen=self._done.maxlen)
        elif self._done and self._done[-1][0] == paragraph:
            self._done[-1][1] += 1
        else:
            self._done.append([paragraph, 1])

    def lines(self) -> list[str]:
        if self._current:
            self._close()
        shown: list[str] = []
        for paragraph, count in self._done:
            shown += ["", *paragraph[:-1], paragraph[-1] + (f" (×{count})" if count > 1 else "")]
        return shown[1:][-self._lines:]


def _private_text(path: Path) -> TextIO:
    """`path` opened for writing, created or truncated owner-only (0600) whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def _without_override_warning(sink: LineSink) -> LineSink:
    """sink, minus Terraform's "Provider development overrides are in effect" warning: offline runs
    print pvctl's own one-line banner instead. With -no-color the warning is its heading, a blank line
    and two paragraphs (the overridden providers, the caveat), each ended by a blank line."""
    blank_lines_left = 0

    def filtered(line: str) -> None:
        nonlocal blank_lines_left
        if line.startswith("Warning: Provider development overrides are in effect"):
            blank_lines_left = 3
            return
        if blank_lines_left:
            blank_lines_left -= not line.strip()
            return
        sink(line)

    return filtered


def _stderr_lines() -> LineSink:
    """A sink printing each line whole on stderr, without Terraform's dev-overrides warning."""
    return _without_override_warning(lambda line: console.err().print(line, markup=False, highlight=False, soft_wrap=True))


def lock_timeout(env: Mapping[str, str] = os.environ) -> int:
    raw = env.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    if not raw.isdigit():
        fix = f"set it to a number of seconds, e.g. {DEFAULT_LOCK_TIMEOUT}, or unset it"
        raise ConfigError([(LOCK_TIMEOUT_ENV, f"{raw!r} is not a whole number of seconds", fix)])
    return int(raw)


def _lock_info(output: str) -> dict[str, str]:
    """The "Lock Info:" block of Terraform's lock error: ID, Path, Operation, Who, Version, Created."""
    info: dict[str, str] = {}
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip(" │").startswith("Lock Info:")), None)
    for line in lines[start + 1 if start is not None else len(lines):]:
        key, sep, value = line.strip(" │").partition(":")
        if not sep or " " in key:
            break
        info[key] = value.strip()
    return info


def _first_error(output: str) -> str | None:
    for line in output.splitlines():
        text = line.strip(" │╷╵")
        if text.startswith("Error: "):
            return text
    return None


@dataclass
class SavedPlan:
    file: Path  # the file Terraform applies (a verified private copy for `apply --plan`)
    plan: dict[str, Any]
    meta: saved_plan.PlanMeta
    state_outputs: dict[str, Any]  # outputs recorded in the state before this plan runs
    source: Path | None = None  # the saved plan the user named, when it is not `file` itself


def _private_tempdir(parent: Path, owned_root: Path) -> Path:
    """An owner-only folder for files nobody else may read or swap; removed when pvctl exits."""
    folder = Path(tempfile.mkdtemp(prefix=".pvctl-", dir=private_dir(parent, owned_root)))  # created 0700
    atexit.register(_remove_at_exit, folder)
    return folder


def _remove_at_exit(folder: Path) -> None:
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):  # pvctl is ending: a late Ctrl-C must not leave the folder half-removed
            signal.signal(signum, signal.SIG_IGN)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PhaseRun:
    config: Config
    phase: str
    mode: Mode
    runner: TerraformRunner
    to_stderr: bool  # --json: keep stdout for the final document
    banner: str | None = None
    local_state: Path | None = field(default=None, init=False)  # the state file, once rendered with a local backend

    @property
    def paths(self) -> RepoPaths:
        return self.config.paths

    @property
    def cwd(self) -> Path:
        return self.paths.environment(self.phase)

    def render(self) -> Rendered:
        rendered = render_phase(self.config, self.phase, self.mode)
        self.local_state = rendered.state_path
        if rendered.state_path is not None:
            private_dir(rendered.state_path.parent, self.paths.work)
            for state in (rendered.state_path, backup_of(rendered.state_path)):
                make_private(state)  # written 0644 by an earlier Terraform run
            check_local_state(rendered.state_path)
        return rendered

    def private_plan_file(self, name: str = "plan.tfplan") -> Path:
        """A plan file only this run uses (interactive apply, destroy): nothing else can replace it
        between the review and the apply, and it is gone when pvctl exits."""
        return _private_tempdir(self.paths.phase_dir(self.phase), self.paths.work) / name

    def log_file(self, title: str) -> Path:
        """Where Terraform's full output of a step is kept (owner-only: plans show variable values)."""
        return private_dir(self.paths.phase_dir(self.phase), self.paths.work) / f"{title.replace(' ', '-')}.log"

    def _stream(self, title: str, args: list[str], line_sink: LineSink | None = None) -> RunResult:
        if line_sink is not None:  # the caller keeps Terraform's output (pvctl ci: one log per phase)
            line_sink(f"$ terraform {' '.join(args)}")
            return self.runner.stream(args, self.cwd, line_sink)
        # Terraform's text (thousands of plan lines, init's chatter) goes to the log; pvctl's summary
        # follows. -v streams it too; a failure shows its end either way (_fail), and so does an
        # interrupt, whose own notes ("pvctl: interrupt received; waiting ...") always show at once.
        verbose = console.settings.verbose
        log = self.log_file(title)
        shown = f"{log.relative_to(self.config.repo_root)}" if log.is_relative_to(self.config.repo_root) else str(log)
        heading = f"terraform {title} ({self.phase}, {self.mode}; full log: {shown})"
        recent = _Tail()
        with _private_text(log) as kept, console.progress(heading, self.to_stderr) as sink:
            terminal = _without_override_warning(sink)
            # pvctl's notes, and Terraform's last lines after an interrupt, are messages about the run:
            # stderr, with or without --json (stdout is for the results).
            noted = _stderr_lines()

            def both(line: str) -> None:
                kept.write(line + "\n")
                if line.startswith(LOCK_WAIT_MARKER):
                    line = (f"pvctl: the state is locked by another command; waiting up to {lock_timeout()} s for it "
                            f"to finish ({LOCK_TIMEOUT_ENV} sets the wait)")
                if line.startswith("pvctl: "):
                    noted(line)
                elif verbose:
                    terminal(line)
                else:
                    recent.add(line)

            try:
                return self.runner.stream(args, self.cwd, both)
            except Interrupted:
                for line in recent.lines():
                    noted(line)
                raise

    def _fail(self, step: str, result: RunResult, line_sink: LineSink | None) -> ToolError:
        failed = f"terraform {step} failed for phase {self.phase}"
        if LOCK_FAILED_MARKER in result.stdout:
            return self._locked(failed, _lock_info(result.stdout))
        if line_sink is None and not console.settings.verbose:  # the output went to the log only: its end now
            printed = _stderr_lines()
            for line in result.stdout.splitlines():
                printed(line)
        detail = _first_error(result.stdout)
        what = failed + (f": {detail}" if detail else f" (exit {result.returncode})")
        where = "above" if line_sink is None else "in the phase's log"
        return ToolError(what, f"read Terraform's output {where}, fix the cause and run the command again")

    def _locked(self, failed: str, info: Mapping[str, str]) -> ToolError:
        operation = info.get("Operation", "").removeprefix("OperationType").lower() or "a command"
        held_by = f"{operation} by {info['Who']} since {info.get('Created', '?')}; " if info.get("Who") else ""
        what = f"{failed}: the state is locked by another command ({held_by}waited {lock_timeout()} s)"
        if self.local_state is not None:  # a local state's lock is the holding process's own: it ends with it
            fix = "wait for that command to finish, then run this one again"
        else:
            data_dir = self.paths.data_dir(self.phase, self.mode)
            fix = (
                "wait for that command to finish, then run this one again; only if that process is gone, release the lock: "
                f"TF_DATA_DIR={data_dir} terraform -chdir={self.cwd} force-unlock {info.get('ID', '<lock ID>')}"
            )
        return ToolError(what, fix)

    def init(self, line_sink: LineSink | None = None) -> None:
        rendered = self.render()
        # -reconfigure: never migrate state between backends behind the user's back.
        args = ["init", "-input=false", "-no-color", "-reconfigure"]
        if rendered.backend_config:
            args.append(f"-backend-config={rendered.backend_config}")
        fingerprint = self._init_fingerprint(args)
        marker = self.paths.data_dir(self.phase, self.mode) / INIT_MARKER
        if marker.is_file() and marker.read_text() == fingerprint:
            return  # nothing init reads has changed since it last succeeded here
        marker.unlink(missing_ok=True)
        plain_env = self.runner.extra_env
        if self.mode == "offline":
            # Terraform 1.15 installs the providers recorded in the state in a second init
            # step that ignores dev_overrides and asks the registry for hashicorp/google.
            # Initialising with an empty workspace selected skips that step; the backend
            # configuration is the same, so later commands use the real (default) workspace.
            self.runner.extra_env = {**plain_env, "TF_WORKSPACE": OFFLINE_INIT_WORKSPACE}
        try:
            result = self._stream("init", args, line_sink)
        finally:
            self.runner.extra_env = plain_env
        if result.returncode != 0:
            raise self._fail("init", result, line_sink)
        marker.write_text(self._init_fingerprint(args))  # init may have written the lock file

    def _init_fingerprint(self, args: list[str]) -> str:
        """A digest of everything `terraform init` reads: its arguments and backend configuration, the
        lock file, the root's and the modules' Terraform files, the CLI configuration (offline: the
        stand-in's dev_overrides) and the Terraform executable."""
        digest = hashlib.sha256()
        runner = self.runner
        for part in (*args, str(runner.binary.path), runner.binary.version, str(runner.plugin_cache_dir)):
            digest.update(part.encode() + b"\0")
        files: list[Path | None] = [runner.cli_config_file, self.cwd / ".terraform.lock.hcl"]
        files += [Path(a.split("=", 1)[1]) for a in args if a.startswith("-backend-config=")]
        files += config_files(self.cwd)
        files += config_files(self.config.repo_root / "modules", recursive=True)
        for file in files:
            if file is None:
                continue
            digest.update(str(file).encode() + b"\0")
            with contextlib.suppress(FileNotFoundError):
                digest.update(hashlib.sha256(file.read_bytes()).digest())
        return digest.hexdigest()

    def _show_args(self, plan_file: Path) -> list[str]:
        return ["show", "-json", "-no-color", str(plan_file)]

    def show(self, plan_file: Path, run: Callable[[], RunResult] | None = None) -> dict[str, Any]:
        """The plan as JSON; `run`: the `show` started ahead (`TerraformRunner.started_ahead`)."""
        result = run() if run else self.runner.run(self._show_args(plan_file), self.cwd, capture=True)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
            raise ToolError(f"terraform show -json {plan_file} failed: {last}", f"re-plan with `pvctl plan --phase {self.phase}`")
        return json.loads(result.stdout)

    def state_outputs(self) -> dict[str, Any]:
        """Outputs as last applied. Not the plan's prior_state: its outputs are re-evaluated
        with the configuration being planned, so they would name the phase being planned."""
        return self.current_state().get("outputs", {})

    def current_state(self) -> dict[str, Any]:
        """The state document as the backend holds it now ({} when there is none).

        A local state (offline, or no bucket) is the file `state pull` would print: read directly,
        it costs no Terraform process beside the plan."""
        if self.local_state is not None:
            check_local_state(self.local_state)  # damaged: the same error as before a plan
            with contextlib.suppress(FileNotFoundError):
                data = self.local_state.read_bytes()
                return dict(json.loads(data)) if data.strip() else {}  # empty: being created under its lock
            return {}
        result = self.runner.run(["state", "pull"], self.cwd, capture=True)
        if result.returncode != 0:
            raise ToolError(
                f"terraform state pull failed for phase {self.phase}: {result.stderr.strip()[-300:]}",
                "check the state backend (bucket, credentials) and run the command again",
            )
        return dict(json.loads(result.stdout)) if result.stdout.strip() else {}

    def plan(
        self,
        plan_file: Path,
        destroy: bool = False,
        *,
        lock_state: bool = True,
        init_lock: threading.Lock | None = None,
        line_sink: LineSink | None = None,
        targets: Sequence[str] = (),
    ) -> SavedPlan:
        """init + plan -out + show -json; saves <plan>.json (private) and the <plan>.meta.json sidecar.

        For phases planned side by side (pvctl ci): init_lock is held around `terraform init`
        (the shared plugin cache is not safe for concurrent inits), line_sink gets Terraform's
        output instead of the console, and lock_state=False plans without the state lock
        (for plans that are never applied, so they do not queue on the one shared state).
        `targets` limits the plan to those module or resource addresses (`pvctl secrets init`).
        """
        with init_lock or contextlib.nullcontext():
            self.init(line_sink)
        # Terraform writes into a private staging folder beside the plan; the plan, its JSON and
        # its sidecar reach `plan_file` only once all three exist (saved_plan.publish).
        staging = Path(tempfile.mkdtemp(prefix=".pvctl-plan-", dir=private_dir(plan_file.parent, self.paths.work)))
        # The applied outputs are read while Terraform plans: a plan never writes the state, and
        # `state pull` takes no lock, so both see the state as last applied.
        read_from = self._local_state_stamp()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending_outputs = pool.submit(self.state_outputs)
            try:
                plan, meta = self._plan_into(staging / plan_file.name, plan_file, destroy, lock_state, line_sink, targets)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            outputs = pending_outputs.result()
        if self._local_state_stamp() != read_from:  # another command wrote it while this plan waited for the lock
            outputs = self.state_outputs()
        return SavedPlan(plan_file, plan, meta, outputs)

    def _local_state_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.local_state.stat() if self.local_state is not None else None
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size) if st else None

    def _plan_into(
        self, staged: Path, plan_file: Path, destroy: bool, lock_state: bool, line_sink: LineSink | None, targets: Sequence[str]
    ) -> tuple[dict[str, Any], saved_plan.PlanMeta]:
        """plan -out into `staged`, show -json, then publish the three files as `plan_file`."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", f"-out={staged}", f"-var-file={self.paths.tfvars(self.phase)}"]
        if destroy:
            args.append("-destroy")
        args.append(f"-lock-timeout={lock_timeout()}s" if lock_state else "-lock=false")
        args += [f"-target={t}" for t in targets]
        # show -json starts while Terraform plans: its engine loads meanwhile, and it runs once the plan is saved.
        with self.runner.started_ahead(self._show_args(staged), self.cwd) as show:
            result = self._stream("destroy plan" if destroy else "plan", args, line_sink)
            if result.returncode not in (0, 2):
                raise self._fail("plan", result, line_sink)
            plan = self.show(staged, show)
        published = saved_plan.plan_json(plan)
        meta = saved_plan.new_meta(
            self.paths, self.phase, self.mode, self.config.project_id, destroy, result.returncode == 2, self.runner.binary.version, staged,
            published,
        )
        saved_plan.publish(staged, published, meta, plan_file)
        return plan, meta

    def load_saved(self, plan_file: Path, state_moved_on: bool = False) -> SavedPlan:
        """A saved plan, checked fresh for this phase, mode, project, inputs and state.

        `state_moved_on`: the state has legitimately changed since the plan (a protected apply
        being resumed, which re-plans rather than applying this plan), so it is not compared.
        """
        meta = saved_plan.read_meta(plan_file, self.phase)
        self.render()  # the inputs as the configuration says *now*
        saved_plan.check_applicable(meta, self.paths, self.phase, self.mode, self.config.project_id)
        copy = saved_plan.verified_copy(plan_file, meta, _private_tempdir(self.paths.phase_dir(self.phase), self.paths.work))
        self.init()  # the plan may come from another machine; show and apply need the providers
        # Live with a bucket, this is the `state pull` the outputs need anyway; Terraform still
        # checks again at apply, for a state written between this check and the apply.
        state = self.current_state()
        if not state_moved_on:
            saved_plan.check_state_unchanged(copy, state, self.phase, self.mode)
        plan = saved_plan.published_json(plan_file, meta)
        return SavedPlan(copy, self.show(copy) if plan is None else plan, meta, state.get("outputs", {}), source=plan_file)

    def apply(self, saved: SavedPlan, line_sink: LineSink | None = None) -> None:
        """Apply a saved plan; a live one is then kept as the phase's applied record (`pvctl status` drift).

        `line_sink`, as for `plan`: Terraform's output to the caller (pvctl ci's base sandbox), not the console."""
        args = ["apply", "-input=false", "-no-color", f"-lock-timeout={lock_timeout()}s", str(saved.file)]
        result = self._stream("apply", args, line_sink)
        if result.returncode != 0:
            if STALE_MARKER in result.stdout:
                raise GuardRefusal("the saved plan is stale: the state changed since it was made",
                                   saved_plan.replan_fix(self.phase, self.mode))
            raise self._fail("apply", result, line_sink)
        if self.mode == "live":  # the sandbox is not what runs in the project
            self._record_applied(saved)

    def _record_applied(self, saved: SavedPlan) -> None:
        """Keep the applied plan's JSON (owner-only: it holds secrets) with when, where and from what.

        A targeted plan (`pvctl secrets init`, "complete": false) covers a few resources only; the
        previous record still describes the rest, so it stays. The apply has succeeded either way:
        a failure here is a warning, and a record that no longer describes the last apply is removed.
        """
        if saved.plan.get("complete") is False:
            return
        try:
            saved_plan.write_applied(
                self.paths,
                saved_plan.AppliedRecord(
                    phase=self.phase,
                    project_id=self.config.project_id,
                    applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    plan_file=str(saved.source) if saved.source else "(planned and confirmed in the same run)",
                    destroy=saved.meta.destroy,
                    plan=saved.plan,
                ),
            )
        except (OSError, ValueError) as exc:
            with contextlib.suppress(OSError):
                saved_plan.forget_applied(self.paths, self.phase)
            console.warning(
                f"applied, but the plan could not be recorded as the last apply of phase {self.phase} ({getattr(exc, 'what', exc)}); "
                "`pvctl status` checks no drift until the next live apply"
            )

    def outputs(self) -> dict[str, Any]:
        self.init()
        result = self.runner.run(["output", "-json", "-no-color"], self.cwd, capture=True)
        if result.returncode != 0:
            raise ToolError(
                f"terraform output failed for phase {self.phase}: {result.stderr.strip()[-300:]}", "check the state backend configuration"
            )
        return json.loads(result.stdout or "{}")


def why_stale(config: Config, phase: str, plan_file: Path) -> str | None:
    """Why the saved `plan_file` no longer describes the phase's configuration; None when it still does,
    by the checks `apply --plan` makes (its state is not compared: that decides what an apply may
    do, not what the phase holds once applied)."""
    try:
        meta = saved_plan.read_meta(plan_file, phase)
        render_phase(config, phase, meta.mode)  # the inputs as the configuration says *now*, in the plan's mode
        saved_plan.check_applicable(meta, config.paths, phase, meta.mode, config.project_id)
    except GuardRefusal as refusal:
        return refusal.what
    return None


def open_phase(
    config: Config,
    phase: str,
    mode: Mode,
    terraform: str | None = None,
    to_stderr: bool = False,
    password: str | None = OFFLINE_DB_PASSWORD,
) -> PhaseRun:
    """Choose the Terraform executable and its environment for this phase and mode.

    `password`: what TF_VAR_db_admin_password holds on a live run — the real one (the command
    reads it from Secret Manager or PVCTL_DB_ADMIN_PASSWORD), the placeholder (targeted and
    review plans, which never set it), or None (commands that evaluate no variables, e.g.
    `output`). Offline runs always get the placeholder.
    """
    paths = config.paths
    if mode == "offline":  # the stand-in google provider, its server started now: it gets ready while pvctl renders and inits
        from pvctl.engine.offline_runner import offline_runner
        from pvctl.offline.wiring import offline_banner

        runner = offline_runner(config.repo_root, paths.environment(phase), paths.data_dir(phase, mode),
                                state=local_state_path(config, mode), terraform=terraform, plugin_cache_dir=paths.plugin_cache,
                                extra_env={"TF_VAR_db_admin_password": OFFLINE_DB_PASSWORD})
        return PhaseRun(config, phase, mode, runner, to_stderr, offline_banner())
    config.require_real_file()
    cli_config = paths.terraformrc
    if not cli_config.exists():
        cli_config.parent.mkdir(parents=True, exist_ok=True)
        cli_config.write_text("# Terraform CLI configuration owned by pvctl (never ~/.terraformrc).\n", encoding="utf-8")
    runner = TerraformRunner(
        find_terraform(terraform, config.repo_root), cli_config_file=cli_config, data_dir=paths.data_dir(phase, mode),
        plugin_cache_dir=paths.plugin_cache, extra_env={} if password is None else {"TF_VAR_db_admin_password": password},
    )
    return PhaseRun(config, phase, mode, runner, to_stderr)
