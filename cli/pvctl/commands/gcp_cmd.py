"""status, secrets, deploy: live Google Cloud through the official client libraries (pvctl.gcp)."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperOption

from pvctl.commands import options as o

if TYPE_CHECKING:
    from pvctl.core.config import Config
    from pvctl.gcp.clients import GcpClients
    from pvctl.gcp.deploy import DeployResult

secrets_app = typer.Typer(help="Secret values in Secret Manager (never in Terraform, never printed).", no_args_is_help=True)
db_app = typer.Typer(help="Disaster recovery of the Cloud SQL database: restore drills and failover.",
                     no_args_is_help=True)

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before disabling older versions.")]
Name = Annotated[str, typer.Argument(help="Secret name as in phases.toml secrets.names, e.g. whatsapp-token.", show_default=False)]


def _slo_help(text: str, key: str, prefix: str = "--watch: ") -> str:
    """Help naming the packaged default; SloCommand fills `{key}` in from phases.toml [slo] so the two never disagree."""
    return f"{prefix}{text} (default {{{key}}}, phases.toml [slo] {key})."


class SloCommand(TyperCommand):
    """A command whose options' help (`_slo_help`) names the phases.toml [slo] defaults.

    The file is read when the command is built, i.e. when it runs or shows its help, not when pvctl starts.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        from pvctl.core.phases import slo_thresholds

        defaults = slo_thresholds()
        for param in self.params:
            if isinstance(param, TyperOption) and param.help:
                param.help = re.sub(r"\{(\w+)\}", lambda key: str(defaults.get(key[1], "?")), param.help)


# Canary watch thresholds: each replaces its phases.toml [slo] value.
Max5xxRatio = Annotated[float | None, typer.Option(
    "--max-5xx-ratio", help=_slo_help("roll back above this share of 5xx", "error_5xx_ratio_max"), show_default=False)]
MaxP95Ms = Annotated[float | None, typer.Option(
    "--max-p95-ms", help=_slo_help("roll back above this p95 latency in ms", "latency_p95_ms_max"), show_default=False)]
ErrorWindow = Annotated[int | None, typer.Option(
    "--error-window", help=_slo_help("seconds the 5xx share is measured over", "error_window_seconds"),
    show_default=False)]
LatencyWindow = Annotated[int | None, typer.Option(
    "--latency-window", help=_slo_help("seconds the p95 is measured over", "latency_window_seconds"),
    show_default=False)]
Interval = Annotated[float | None, typer.Option(
    "--interval", help=_slo_help("seconds between readings", "canary_interval_seconds"), show_default=False)]
HealthyFor = Annotated[float | None, typer.Option(
    "--healthy-for", help=_slo_help("promote after this many healthy seconds", "canary_healthy_seconds"),
    show_default=False)]
MinRequests = Annotated[int | None, typer.Option(
    "--min-requests", help=_slo_help("requests in the latency window needed to judge", "canary_min_requests"),
    show_default=False)]
MaxBlind = Annotated[float | None, typer.Option(
    "--max-blind", help=_slo_help("roll back after this long with nothing to judge", "canary_max_blind_seconds"),
    show_default=False)]
OptionalPhase = Annotated[
    str | None, typer.Option("--phase", "-p", help="Phase whose secrets to use (default: all phases).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("deploy", cls=SloCommand)(deploy)
    from pvctl.commands.terraform_cmd import secrets_init

    secrets_app.command("init")(secrets_init)
    app.add_typer(secrets_app, name="secrets")
    app.add_typer(db_app, name="db")


def _live_config(sel: o.Selection) -> Config:
    cfg = sel.load()
    cfg.require_real_file()
    return cfg


def _clients() -> GcpClients:
    from pvctl.gcp.clients import GcpClients

    return GcpClients.from_env()


def _secret_names(phase: str | None, cfg: Config) -> list[str]:
    from pvctl.gcp.preflight import phase_secret_names

    return phase_secret_names(phase, cfg.phase_overrides, cfg.phases_file)


@o.configured("project", "region")
def status(
    sel: o.Selection,
    phase: o.Phase, json_out: o.Json = False,
) -> None:
    """What runs in the project now: Cloud Run services, load balancer, certificate, Cloud Armor, drift from the last live apply."""
    from pvctl.core.phases import effective_tables, get_phase
    from pvctl.engine.saved_plan import applied_of
    from pvctl.gcp.status import phase_status

    cfg = _live_config(sel)
    tables = effective_tables(get_phase(phase, cfg.phases_file), cfg.phase_overrides)
    applied = applied_of(cfg.paths, phase)  # kept by a live apply; never a merely saved plan
    clients = _clients()
    result = phase_status(clients, phase, tables, cfg.project_id, cfg.region, cfg.name_prefix, applied,
                          cfg.images_managed_by_ci, clients.policy)
    if json_out:
        o.echo_json({**asdict(result), "complete": result.complete})
    else:
        from pvctl.gcp.display import print_status

        print_status(result)
    if not result.complete:
        raise typer.Exit(1)


@o.configured("project", "region")
def deploy(
    sel: o.Selection,
    service: Annotated[
        str, typer.Option("--service", "-s", help="api, bff, webhooks, or app (= api, the whole site in mvp/growth).", show_default=False)
    ],
    image: Annotated[
        str | None, typer.Option("--image", help="Container image for the new revision (pin a tag or @sha256 digest).", show_default=False)
    ] = None,
    canary: Annotated[
        int | None,
        typer.Option(
            "--canary", min=1, max=99, help="Send this percentage to the new revision; the previous one keeps the rest.", show_default=False
        ),
    ] = None,
    promote: Annotated[bool, typer.Option("--promote", help="Send 100% of the traffic to the latest revision.")] = False,
    rollback: Annotated[bool, typer.Option("--rollback", help="Send 100% of the traffic back to the previous revision.")] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch", help="With --canary: watch 5xx and p95 in Cloud Monitoring, promote after a healthy window, roll back on a breach."
        ),
    ] = False,
    max_5xx_ratio: Max5xxRatio = None,
    max_p95_ms: MaxP95Ms = None,
    error_window: ErrorWindow = None,
    latency_window: LatencyWindow = None,
    interval: Interval = None,
    healthy_for: HealthyFor = None,
    min_requests: MinRequests = None,
    max_blind: MaxBlind = None,
    json_out: o.Json = False,
) -> None:
    """Deploy an image as a new Cloud Run revision (optionally as a watched canary), promote it, or roll back."""
    from pvctl.core import console
    from pvctl.core.errors import ConfigError
    from pvctl.gcp import deploy as d

    chosen = [flag for flag, on in (("--image", image is not None), ("--promote", promote), ("--rollback", rollback)) if on]
    if len(chosen) != 1:
        raise ConfigError([("deploy", f"got {', '.join(chosen) or 'none'} of --image, --promote, --rollback",
                            "give exactly one: --image REF [--canary PCT [--watch]], --promote or --rollback")])
    if canary is not None and image is None:
        raise ConfigError([("--canary", "needs --image", "pvctl deploy --service api --image REF --canary 10")])
    if image is not None:
        from pvctl.core.validate import image as image_problem

        if bad := image_problem(image):  # the rules of pvctl.toml's [images]
            raise ConfigError([("--image", *bad)])
    if watch and canary is None:
        raise ConfigError([("--watch", "needs --image and --canary",
                            "pvctl deploy --service api --image REF --canary 10 --watch")])
    cfg = _live_config(sel)
    thresholds = None
    if watch:
        from pvctl.core.phases import slo_thresholds
        from pvctl.gcp.canary import Thresholds

        thresholds = Thresholds.resolve({
            "error_ratio_max": max_5xx_ratio, "error_window": error_window, "p95_ms_max": max_p95_ms,
            "latency_window": latency_window, "interval": interval, "healthy_for": healthy_for,
            "min_requests": min_requests, "max_blind": max_blind}, slo_thresholds(cfg.phases_file))
    name = d.service_name(cfg.name_prefix, service)
    clients = _clients()
    args = (clients, cfg.project_id, cfg.region, name)
    if thresholds is not None and image is not None and canary is not None:
        from pvctl.gcp import display
        from pvctl.gcp.canary import deploy_and_watch

        watched = deploy_and_watch(*args, image, canary, thresholds, clients.policy,
                                   on_deployed=display.print_canary_start, on_check=display.print_check,
                                   service_flag=service)
        if json_out:
            o.echo_json(watched.as_dict())
        else:
            display.print_watch(watched)
        if watched.outcome != "promoted":
            raise typer.Exit(1)
    elif image is not None:
        _print_deploy(d.deploy(*args, image, canary, clients.policy), json_out)
    elif promote:
        _print_deploy(d.promote(*args, clients.policy), json_out)
    else:
        _print_deploy(d.rollback(*args, clients.policy), json_out)
    if image is not None and not cfg.images_managed_by_ci:
        console.warning("images.managed_by_ci is false: the next `pvctl apply` sets the image back to the one in pvctl.toml "
                        "— update images in pvctl.toml too, or set images.managed_by_ci = true")


def _print_deploy(result: DeployResult, json_out: bool) -> None:
    if json_out:
        o.echo_json(asdict(result))
        return
    from pvctl.gcp.display import print_deploy

    print_deploy(result)


@secrets_app.command("list")
@o.configured("project", "region")
def secrets_list(
    sel: o.Selection,
    phase: OptionalPhase = None, json_out: o.Json = False,
) -> None:
    """Each secret with its enabled and disabled versions (never the values)."""
    from pvctl.gcp.secrets import list_secrets

    cfg = _live_config(sel)
    clients = _clients()
    states = list_secrets(clients, cfg.project_id, cfg.name_prefix, _secret_names(phase, cfg), clients.policy)
    if json_out:
        o.echo_json([{**asdict(s), "ready": s.ready} for s in states])
        return
    from pvctl.gcp.display import print_secrets

    print_secrets(states)


@secrets_app.command("check")
@o.configured("project", "region")
def secrets_check(
    sel: o.Selection,
    phase: o.Phase, json_out: o.Json = False,
) -> None:
    """Exit 1 and name them when a secret of the phase has no enabled version (run before a live apply)."""
    from pvctl.core import console
    from pvctl.gcp.preflight import required_secret_names
    from pvctl.gcp.secrets import missing_secrets

    cfg = _live_config(sel)
    clients = _clients()
    names = required_secret_names(phase, cfg.phase_overrides)
    missing = missing_secrets(cfg.project_id, cfg.name_prefix, names, clients, clients.policy)
    if json_out:
        o.echo_json({"phase": phase, "missing": missing})
    elif missing:
        for name in missing:
            console.error(f"secret {cfg.name_prefix}-{name} has no enabled version — pvctl secrets set {name}")
    else:
        console.out().print(f"all {len(names)} secrets of phase {phase} have an enabled version")
    if missing:
        raise typer.Exit(1)


def _password_note(name: str) -> None:
    if name == "db-admin-password":
        from pvctl.core import console

        # The secret and the Cloud SQL user are separate: Terraform moves the user to the new value.
        console.note("Cloud SQL keeps the old admin password until the next live `pvctl apply` "
                     "sends this value (with db_admin_password_version raised)")


def _read_value(name: str) -> bytes:
    """The value from stdin when piped (any bytes), else a hidden prompt asked twice; never from argv."""
    from pvctl.core.errors import ConfigError
    from pvctl.gcp.secrets import value_problem

    if sys.stdin is None or not sys.stdin.isatty():
        raw = _stdin_bytes()
        # `echo value | pvctl secrets set` adds one newline that is not part of the secret.
        value = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    else:
        value = typer.prompt(f"value for {name}", hide_input=True, confirmation_prompt=True, err=True).encode("utf-8")
    bad = value_problem(name, value)
    if bad:
        raise ConfigError([("value", *bad)])
    return value


def _stdin_bytes() -> bytes:
    if sys.stdin is None:
        return b""
    binary = getattr(sys.stdin, "buffer", None)  # absent when stdin was replaced by a text stream
    return binary.read() if binary is not None else sys.stdin.read().encode("utf-8")


def _refuse_value_arguments(ctx: typer.Context) -> None:
    """A value on the command line lands in shell history and `ps`: refuse it, and never repeat it."""
    from pvctl.core.errors import ConfigError

    if ctx.args:
        raise ConfigError([("value", f"{len(ctx.args)} extra command-line argument(s) after the secret name; a secret value is never "
                            "taken from the command line (shell history, process list) and was not stored",
                            "pipe it on stdin (`pvctl secrets set NAME < file`) or type it at the hidden prompt; "
                            "clear it from your shell history")])


# Extra arguments are collected (not a usage error that would print them) so a value typed on the
# command line can be refused without echoing it.
_VALUE_SAFE = {"allow_extra_args": True, "ignore_unknown_options": True}


@secrets_app.command("set", context_settings=_VALUE_SAFE)
@o.configured("project", "region")
def secrets_set(
    sel: o.Selection,
    ctx: typer.Context,
    name: Name,
) -> None:
    """Add a new version of secret NAME from stdin or a hidden prompt (older versions stay enabled)."""
    _refuse_value_arguments(ctx)
    _add_value(name, _live_config(sel))


def _add_value(name: str, cfg: Config) -> tuple[GcpClients, str]:
    """Read NAME's new value and add it as a version (set and rotate); returns the clients and its number."""
    from pvctl.core import console
    from pvctl.gcp.secrets import add_version, check_name, secret_id

    check_name(name, _secret_names(None, cfg))
    value = _read_value(name)
    clients = _clients()
    version = add_version(clients, cfg.project_id, cfg.name_prefix, name, value, clients.policy)
    console.out().print(f"{secret_id(cfg.name_prefix, name)}: added version {version}", markup=False)
    _password_note(name)
    return clients, version


@secrets_app.command("rotate", context_settings=_VALUE_SAFE)
@o.configured("project", "region")
def secrets_rotate(
    sel: o.Selection,
    ctx: typer.Context,
    name: Name, yes: Yes = False,
) -> None:
    """Add a new version of NAME, then disable the older enabled versions after confirmation."""
    from pvctl.core import console
    from pvctl.gcp.secrets import disable_versions, secret_id, secret_state

    _refuse_value_arguments(ctx)
    cfg = _live_config(sel)
    clients, version = _add_value(name, cfg)
    sid = secret_id(cfg.name_prefix, name)
    older = [v for v in secret_state(clients, cfg.project_id, cfg.name_prefix, name, clients.policy).enabled_versions if v != version]
    if not older:
        return
    question = (f"disable versions {', '.join(older)} of {sid}? Services reading 'latest' get version {version} "
                "on their next start; anything pinned to an older number stops working")
    if not yes:
        if not sys.stdin.isatty():
            console.warning(f"versions {', '.join(older)} of {sid} stay enabled (no terminal to confirm) — disable them with "
                            f"`gcloud secrets versions disable N --secret {sid}` once nothing uses them, or pass --yes next time")
            return
        if not typer.confirm(question, default=False, err=True):
            console.note(f"versions {', '.join(older)} of {sid} stay enabled")
            return
    disable_versions(clients, cfg.project_id, cfg.name_prefix, name, older, clients.policy)
    console.out().print(f"{sid}: disabled versions {', '.join(older)} (re-enable with "
                        f"`gcloud secrets versions enable N --secret {sid}` if something still needs one)", markup=False, soft_wrap=True)


@db_app.command("restore-test", cls=SloCommand)
@o.configured("project", "region")
def db_restore_test(
    sel: o.Selection,
    rto: Annotated[float | None, typer.Option(
        "--rto", help=_slo_help("Recovery time objective in seconds", "rto_seconds", prefix=""),
        show_default=False)] = None,
    json_out: o.Json = False,
) -> None:
    """Restore the newest backup into a temporary instance, check it, report the time against the RTO, delete it."""
    from pvctl.core import console
    from pvctl.core.phases import slo_thresholds
    from pvctl.gcp import restore_test
    from pvctl.gcp.sqladmin import primary_name

    cfg = _live_config(sel)
    objective = restore_test.objective(rto, slo_thresholds(cfg.phases_file))
    clients = _clients()
    report = restore_test.run(clients, cfg.project_id, primary_name(cfg.name_prefix), objective, clients.policy,
                              on_step=lambda text: console.note(text))
    if json_out:
        o.echo_json(asdict(report))
    else:
        from pvctl.gcp.display import print_restore_test

        print_restore_test(report)
    if not report.within_rto:
        raise typer.Exit(1)


@db_app.command("failover")
@o.configured("project", "region")
def db_failover(
    sel: o.Selection,
    replica: Annotated[str | None, typer.Option(
        "--replica", help="Instance to promote (default: the one replica of <prefix>-pg in another region).",
        show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before promoting (no undo).")] = False,
    json_out: o.Json = False,
) -> None:
    """Promote the cross-region replica to primary and point the Cloud Run services at it."""
    from pvctl.core import console
    from pvctl.core.errors import GuardRefusal
    from pvctl.gcp import failover as f
    from pvctl.gcp.sqladmin import primary_name

    cfg = _live_config(sel)
    clients = _clients()
    chosen = f.find_replica(clients, cfg.project_id, primary_name(cfg.name_prefix), cfg.region, replica, clients.policy)
    question = f.plan_text(cfg.name_prefix, chosen)
    if not yes:
        if not sys.stdin.isatty():
            raise GuardRefusal(f"not confirmed: {question}", "run it on a terminal to confirm, or pass --yes")
        if not typer.confirm(question + "?", default=False, err=True):
            console.note("nothing changed")
            return
    result = f.failover(clients, cfg.project_id, cfg.region, cfg.name_prefix, chosen, clients.policy)
    if json_out:
        o.echo_json(asdict(result))
    else:
        from pvctl.gcp.display import print_failover

        print_failover(result)
