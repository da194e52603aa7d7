"""`pvctl validate`: terraform validate of every module and phase, offline."""

from __future__ import annotations

import typer

from pvctl.commands import options as o


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(json_out: o.Json = False, repo: o.Repo = None, terraform: o.Terraform = None) -> None:
    """Validate every module, module example and the environments/ composition against the offline stand-in.

    Runs `terraform init -backend=false` and `terraform validate` with the real Terraform
    engine and the provider 8.7.0 schema; no registry and no GCP are contacted.
    Exits 1 when any folder is invalid.
    """
    from rich.table import Table

    from pvctl.core import console
    from pvctl.core.errors import ExitCode
    from pvctl.core.repo import find_repo_root
    from pvctl.offline import rules
    from pvctl.offline.schema import PROVIDER_VERSION
    from pvctl.offline.wiring import offline_banner
    from pvctl.policy.terraform_validate import validate_all

    root = find_repo_root(repo)
    note = rules.version_note(PROVIDER_VERSION)
    if not json_out:
        console.banner(offline_banner())
        if note:
            console.note(note)
    results = validate_all(root, terraform)
    failed = [r for r in results if not r.valid]
    if json_out:
        o.echo_json({"valid": not failed, "results": [r.to_json() for r in results],
                     "rules": {**rules.source(), "note": note}})
    else:
        out = console.out()
        table = Table(show_edge=False, header_style="bold")
        table.add_column("folder")
        table.add_column("result")
        table.add_column("errors", justify="right")
        table.add_column("warnings", justify="right")
        for r in results:
            warnings = len(r.diagnostics) - len(r.errors)
            table.add_row(r.target, "[green]valid[/]" if r.valid else "[bold red]invalid[/]", str(len(r.errors)), str(warnings))
        out.print(console.Fitted(table), crop=False)
        for r in results:
            for d in r.diagnostics:
                where = f"{d.where()}: " if d.where() else f"{r.target}: "
                line = f"{where}{d.summary}" + (f" — {d.detail.splitlines()[0]}" if d.detail else "")
                (console.error if d.severity == "error" else console.warning)(line)
    if failed:
        raise typer.Exit(int(ExitCode.FAILED))
