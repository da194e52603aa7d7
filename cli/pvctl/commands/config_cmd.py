"""`pvctl config show`: the effective configuration and where each value came from."""

from __future__ import annotations

import typer

from pvctl.commands import options as o

config_app = typer.Typer(help="Show the configuration and where each value comes from.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("show")
@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def show(
    sel: o.Selection,
    json_out: o.Json = False,
) -> None:
    """Print the effective configuration with each value's source.

    Sources: pvctl.toml (or pvctl.example.toml), env PVCTL_*, flag --*, default.
    """
    import json

    from rich.table import Table

    from pvctl.core import console
    from pvctl.core.config import effective_values

    cfg = sel.load()
    rows = effective_values(cfg)
    if json_out:
        o.echo_json({
            "config_file": str(cfg.config_file) if cfg.config_file else None,
            "repo_root": str(cfg.repo_root),
            "environment": cfg.environment,
            "values": {name: {"value": value, "source": source} for name, value, source in rows},
        })
        return
    out = console.out()
    out.print(f"repository:  {cfg.repo_root}")
    out.print(f"config file: {cfg.config_file or '(none)'}")
    if cfg.environment:
        out.print(f"environment: {cfg.environment} (of {', '.join(cfg.environments)})")
    table = Table(show_edge=False, header_style="bold")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("source", style="dim")
    for name, value, source in rows:
        table.add_row(name, "" if value is None else (value if isinstance(value, str) else json.dumps(value)), source)
    out.print(console.Fitted(table), crop=False)
