"""render, plan, apply, destroy, output: thin over pvctl.engine.session and pvctl.planning."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pvctl.commands import options as o

if TYPE_CHECKING:
    from pvctl.core.config import Config
    from pvctl.core.repo import Mode
    from pvctl.engine.session import PhaseRun, SavedPlan
    from pvctl.gcp.clients import GcpClients
    from pvctl.planning.summary import PlanSummary


def register(app: typer.Typer) -> None:
    app.command("render")(render)
    app.command("plan")(plan)
    app.command("apply")(apply)
    app.command("destroy")(destroy)
    app.command("output")(output)


def _open(cfg: Config, phase: str, mode: Mode, reason: str | None, terraform: str | None, to_stderr: bool,
          password: str = "real", gcp_clients: GcpClients | None = None) -> PhaseRun:
    """`password`: "real" (exported, or read from Secret Manager through `gcp_clients` when given),
    "placeholder" (targeted plans, which never set it) or "none" (commands that evaluate no variables)."""
    from pvctl.core import console
    from pvctl.core.phases import get_phase
    from pvctl.engine.session import OFFLINE_DB_PASSWORD, open_phase

    get_phase(phase, cfg.phases_file)
    value: str | None = None if password == "none" else OFFLINE_DB_PASSWORD
    if mode == "live" and password == "real":
        from pvctl.gcp.preflight import db_admin_password

        cfg.require_real_file()  # before anything asks Google
        value = db_admin_password(lambda: gcp_clients if gcp_clients is not None else _gcp_clients(), cfg.project_id, cfg.name_prefix)
    run = open_phase(cfg, phase, mode, terraform, to_stderr=to_stderr, password=value)
    if reason:
        console.note(reason)
    if run.banner:
        console.banner(run.banner)
    return run


def _review(run: PhaseRun, saved: SavedPlan, allow_destroy: bool, allow_downgrade: bool, command: str, json_out: bool,
            plan_file: str | None) -> PlanSummary:
    """Summarise a plan (stdout, or JSON), then enforce the guards."""
    from pvctl.core import console
    from pvctl.core.errors import GuardRefusal, describe, error_document
    from pvctl.planning import display, guards
    from pvctl.planning.changes import resource_diffs
    from pvctl.planning.summary import summarize

    summary = summarize(saved.plan, run.phase)
    findings = guards.evaluate_for(run.config, run.phase, saved.plan, saved.state_outputs)
    if not json_out:
        display.print_summary(console.out(), summary, findings, plan_file, resource_diffs(saved.plan))
        _cost_line(run, saved.plan, findings.applied_phase)
        guards.enforce(findings, run.phase, allow_destroy, allow_downgrade, command)
        return summary
    display.print_warnings(console.err(), findings)
    doc = summary.as_json(plan_file)
    try:
        guards.enforce(findings, run.phase, allow_destroy, allow_downgrade, command)
    except GuardRefusal as refusal:
        # Still one JSON document: the summary with the refusal in it.
        what, fix = describe(refusal)
        o.echo_json({**doc, **error_document(what, fix, refusal.exit_code)})
        console.error(refusal.line())
        raise typer.Exit(int(refusal.exit_code)) from None
    o.echo_json(doc)
    return summary


def _cost_line(run: PhaseRun, plan: dict[str, Any], applied_phase: str | None) -> None:
    from pvctl.core import console
    from pvctl.cost.delta import plan_cost_line

    console.out().print(plan_cost_line(plan, run.config, run.phase, applied_phase), soft_wrap=True)


@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def render(
    sel: o.Selection,
    phase: o.Phase,
    offline: o.Offline = False,
    json_out: o.Json = False,
) -> None:
    """Render the phase's tfvars and backend files.

    Writes .pvctl/<phase>/terraform.tfvars.json and the backend selection; runs no Terraform.
    """
    from pvctl.core.phases import get_phase
    from pvctl.core.render import render_phase

    cfg = sel.load()
    get_phase(phase, cfg.phases_file)
    rendered = render_phase(cfg, phase, "offline" if offline else "live")
    files = {
        k: str(v) if v else None
        for k, v in {
            "tfvars": rendered.tfvars,
            "backend_config": rendered.backend_config,
            "override": rendered.override,
            "state": rendered.state_path,
        }.items()
    }
    if json_out:
        o.echo_json(files)
        return
    for name, path in files.items():
        if path:
            typer.echo(f"{name:15} {path}")


@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def plan(
    sel: o.Selection,
    phase: o.Phase,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to save the plan: a new <name>.tfplan or an earlier pvctl plan "
            "(default .pvctl/<phase>/plan.tfplan; with --env, .pvctl/env/<name>/<phase>/).",
            show_default=False,
        ),
    ] = None,
    json_out: o.Json = False,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 when there are no changes, 2 when there are.")
    ] = False,
    offline: o.Offline = False,
    allow_destroy: Annotated[
        bool,
        typer.Option("--allow-destroy", help="Accept deleting or replacing stateful resources (Cloud SQL, Redis, secrets, state bucket)."),
    ] = False,
    allow_downgrade: Annotated[bool, typer.Option("--allow-downgrade", help="Accept planning a lower phase than the one applied.")] = False,
    terraform: o.Terraform = None,
) -> None:
    """Plan a phase and summarise the changes.

    Saves the plan (default .pvctl/<phase>/plan.tfplan) with its JSON and a sidecar for
    `pvctl apply --plan`. Offline when there are no Google credentials or no pvctl.toml.
    """
    from pvctl.engine.saved_plan import check_out_path
    from pvctl.engine.session import resolve_mode

    cfg = sel.load()
    plan_file = (out or cfg.paths.default_plan(phase)).resolve()
    if out is not None:  # before any work: never overwrite what pvctl did not write (the default is pvctl's own)
        check_out_path(plan_file)
    mode, reason = resolve_mode(offline, auto=True, from_example=cfg.from_example)
    run = _open(cfg, phase, mode, reason, terraform, to_stderr=json_out)
    saved = run.plan(plan_file)
    summary = _review(run, saved, allow_destroy, allow_downgrade, "plan", json_out, str(plan_file))
    if not json_out and summary.has_changes:
        flag = (f" --env {cfg.environment}" if cfg.environment else "") + (" --offline" if mode == "offline" else "")
        typer.echo(f"Apply this plan with: pvctl apply --phase {phase}{flag} --plan {_shown(plan_file)}", err=True)
    if detailed_exitcode and summary.has_changes:
        raise typer.Exit(2)


def _shown(path: Path) -> str:
    """A path as short as it can be for a command the user will paste."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _confirm_or_refuse(question: str, auto_approve: bool, refusal_fix: str) -> None:
    from pvctl.core.errors import GuardRefusal

    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise GuardRefusal("not asking for confirmation: stdin is not a terminal", refusal_fix)
    if not typer.confirm(question, default=False, err=True):
        raise GuardRefusal("not confirmed; nothing was changed", "run the command again and answer yes")


@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def apply(
    sel: o.Selection,
    phase: o.Phase,
    plan_path: Annotated[
        Path | None, typer.Option("--plan", help="Apply this saved plan (from `pvctl plan`) instead of planning now.", show_default=False)
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation (required when stdin is not a terminal).")
    ] = False,
    offline: o.Offline = False,
    allow_destroy: Annotated[bool, typer.Option("--allow-destroy", help="Accept deleting or replacing stateful resources.")] = False,
    allow_downgrade: Annotated[bool, typer.Option("--allow-downgrade", help="Accept applying a lower phase than the one applied.")] = False,
    terraform: o.Terraform = None,
) -> None:
    """Apply a phase (a saved plan, or plan and ask).

    With --plan: applies that saved plan if it is still fresh. Without: plans now, shows
    the summary and asks for confirmation (or needs --auto-approve without a terminal).
    """
    from pvctl.core import console
    from pvctl.engine.session import resolve_mode

    cfg = sel.load()
    mode, _ = resolve_mode(offline, auto=False)
    # One set of Google clients (one credential refresh) for the admin password and the secret check.
    clients = _gcp_clients() if mode == "live" else None
    run = _open(cfg, phase, mode, None, terraform, to_stderr=False, gcp_clients=clients)
    from pvctl.planning.promotion import apply_reviewed, resuming

    # A saved plan is checked first: stale and offline plans are refused before anything asks Google.
    saved = None
    if plan_path is not None:
        saved = run.load_saved(plan_path.resolve(), state_moved_on=resuming(run, plan_path.resolve()))
    if clients is not None:
        from pvctl.gcp.preflight import require_secret_values

        require_secret_values(clients, cfg.project_id, cfg.name_prefix, phase, cfg.phase_overrides)
    if saved is not None:
        _review(run, saved, allow_destroy, allow_downgrade, "apply", False, str(saved.source or saved.file))
    else:
        # A plan file of this run only: a `pvctl plan` while the question waits cannot swap it.
        saved = run.plan(run.private_plan_file())
        summary = _review(run, saved, allow_destroy, allow_downgrade, "apply", False, None)
        if not summary.has_changes:
            return
        where = "the offline sandbox" if mode == "offline" else f"project {cfg.project_id}"
        _confirm_or_refuse(
            f"Apply these changes to {where}?",
            auto_approve,
            f"pass --auto-approve, or save a plan with `pvctl plan --phase {phase}` and apply it with --plan",
        )
    apply_reviewed(run, saved, allow_destroy)  # protected deletions: lift, re-plan, apply, restore
    console.err().print(f"[green]Applied phase {phase}[/] ({'sandbox' if mode == 'offline' else cfg.project_id}).")


# What the first deployment needs before secret values can be added: the APIs and the containers.
SECRET_TARGETS = ("module.services", "module.secrets")


@o.configured("project", "region", "state_bucket")
def secrets_init(
    sel: o.Selection,
    phase: o.Phase,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation (required when stdin is not a terminal).")
    ] = False,
    offline: o.Offline = False,
    terraform: o.Terraform = None,
) -> None:
    """Create the phase's Secret Manager containers (a targeted apply), so values can be set before the first full apply."""
    from pvctl.core import console
    from pvctl.engine.session import resolve_mode

    cfg = sel.load()
    mode, _ = resolve_mode(offline, auto=False)
    # The targeted resources never read the admin password; Terraform still wants every input set.
    run = _open(cfg, phase, mode, None, terraform, to_stderr=False, password="placeholder")
    saved = run.plan(run.private_plan_file("secrets-init.tfplan"), targets=SECRET_TARGETS)
    # A downgrade concerns the whole system, which this targeted plan leaves alone; deleting a
    # secret container is still refused, and a full `pvctl apply` is the way to accept it.
    summary = _review(run, saved, False, True, "apply", False, None)
    if summary.has_changes:
        where = "the offline sandbox" if mode == "offline" else f"project {cfg.project_id}"
        _confirm_or_refuse(f"Create these in {where}?", auto_approve, "pass --auto-approve")
        run.apply(saved)
    console.err().print(f"Secret containers of phase {phase} are in place; add values with `pvctl secrets set NAME`.")


def _gcp_clients() -> GcpClients:
    from pvctl.gcp.clients import GcpClients

    return GcpClients.from_env()  # builds nothing and asks nothing until first used


@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def destroy(
    sel: o.Selection,
    phase: o.Phase,
    confirm: Annotated[
        str | None,
        typer.Option(
            "--confirm", help="The project ID, typed out: required to destroy live resources without a terminal.", show_default=False
        ),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Skip the question (offline sandbox only; live also needs --confirm PROJECT_ID).")
    ] = False,
    offline: o.Offline = False,
    terraform: o.Terraform = None,
) -> None:
    """Destroy the WHOLE deployment of the project: all phases share one state (asks for the project ID).

    --phase only selects the configuration Terraform runs with; everything in the state goes,
    whichever phase created it. The destroy plan is private to this run and applied only after
    the typed confirmation; no plan file is left behind.
    """
    from pvctl.core import console
    from pvctl.core.errors import GuardRefusal
    from pvctl.engine.session import resolve_mode
    from pvctl.planning import display, guards
    from pvctl.planning.summary import summarize

    cfg = sel.load()
    mode, _ = resolve_mode(offline, auto=False)
    run = _open(cfg, phase, mode, None, terraform, to_stderr=False)
    where = "the offline sandbox" if mode == "offline" else f"project {cfg.project_id}"
    saved = run.plan(run.private_plan_file("destroy.tfplan"), destroy=True)
    summary = summarize(saved.plan, phase)
    findings = guards.evaluate_for(cfg, phase, saved.plan, saved.state_outputs)
    display.print_summary(console.out(), summary, findings, None)
    if not summary.has_changes:
        return
    applied = f"phase {findings.applied_phase}" if findings.applied_phase else "no phase recorded in the state"
    console.err().print(
        f"[bold red]This destroys the whole deployment in {console.escape(where)}[/] — every resource in its state, "
        f"whichever phase created it (all phases share one state). Applied now: {console.escape(applied)}.",
        soft_wrap=True,
    )
    if confirm is not None and confirm != cfg.project_id:
        raise GuardRefusal(
            f"--confirm {confirm!r} does not match the project {cfg.project_id!r}; nothing was destroyed", "type the project ID exactly"
        )
    if confirm is None and not (auto_approve and mode == "offline"):
        fix = f"pass --confirm {cfg.project_id}" if mode == "live" else f"pass --confirm {cfg.project_id} or --auto-approve"
        if not sys.stdin.isatty():
            raise GuardRefusal("destroy needs the project ID typed out and stdin is not a terminal; nothing was destroyed", fix)
        typed = typer.prompt(
            f"Type the project ID ({cfg.project_id}) to destroy the whole deployment ({applied})", err=True, default="", show_default=False
        )
        if typed != cfg.project_id:
            raise GuardRefusal("the project ID did not match; nothing was destroyed", "run the command again")
    run.apply(saved)
    console.err().print(
        f"[red]Destroyed the whole deployment[/] of {console.escape(where)} (was {console.escape(applied)}).", soft_wrap=True
    )


@o.configured("project", "state_bucket")
def output(
    sel: o.Selection,
    phase: o.Phase,
    json_out: o.Json = False,
    offline: o.Offline = False,
    terraform: o.Terraform = None,
) -> None:
    """Print the phase's outputs (sensitive ones masked)."""
    import json

    from rich.table import Table

    from pvctl.core import console
    from pvctl.planning.masking import masked_outputs

    cfg = sel.load()
    run = _open(cfg, phase, "offline" if offline else "live", None, terraform, to_stderr=True, password="none")
    values = masked_outputs(run.outputs())
    if json_out:
        o.echo_json(values)
        return
    table = Table(show_edge=False, header_style="bold")
    table.add_column("output")
    table.add_column("value")
    for name, value in values.items():
        table.add_row(name, value if isinstance(value, str) else json.dumps(value))
    console.out().print(console.Fitted(table), crop=False)
