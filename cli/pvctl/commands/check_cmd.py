"""check, ci: fmt, validate and policies locally; the whole pull-request check with one report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pvctl.commands import options as o

Format = Annotated[str, typer.Option("--format", help="Report format on stdout: markdown or json.")]


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("ci")(ci)


def _phase_list(text: str | None) -> list[str]:
    from pvctl.core.errors import ConfigError
    from pvctl.core.phases import phase_names

    known = phase_names()
    if text is None:
        return known
    # Each phase once: a phase named twice would be planned twice at once in one sandbox.
    chosen = list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in chosen if p not in known]
    if unknown or not chosen:
        problem = f"unknown phase(s) {', '.join(unknown)}" if unknown else f"no phase in {text!r}"
        raise ConfigError([("--phases", problem, f"use a comma-separated list of {', '.join(known)}")])
    return chosen


def _check_format(fmt: str) -> None:
    """Before any work: a typo in --format must not cost a whole check run."""
    from pvctl.core.errors import ConfigError

    if fmt not in ("markdown", "json"):
        raise ConfigError([("--format", f"{fmt!r} is not a report format", "use markdown or json")])


def _emit(report, fmt: str) -> str:
    from pvctl.ci.report import render_json, render_markdown

    text = render_markdown(report) if fmt == "markdown" else render_json(report)
    typer.echo(text)
    return text


def _say(line: str) -> None:
    from pvctl.core import console

    console.err().print(f"pvctl: {console.escape(line)}", soft_wrap=True)


@o.configured()
def check(
    sel: o.Selection,
    phases: Annotated[Optional[str], typer.Option("--phases", help="Comma-separated phases to validate (default: all).", show_default=False)] = None,
    fix_fmt: Annotated[bool, typer.Option("--fix-fmt", help="Rewrite unformatted Terraform files first (terraform fmt -recursive).")] = False,
    fmt: Format = "markdown",
    terraform: o.Terraform = None,
) -> None:
    """Local pre-push check: terraform fmt, validate and the checkov policies, reported like `pvctl ci`."""
    from pvctl.ci.model import CiReport, PhaseResult
    from pvctl.engine.terraform import TerraformRunner, find_terraform
    from pvctl.policy.checkov import scan_directories
    from pvctl.policy.fmt import fmt_check, fmt_write
    from pvctl.policy.validation import validate_phase

    _check_format(fmt)
    chosen = _phase_list(phases)
    cfg = sel.load()
    root = cfg.repo_root
    runner = TerraformRunner(find_terraform(terraform, root))
    if fix_fmt:
        for name in fmt_write(runner, root):
            _say(f"formatted {name}")
    fmt_result = fmt_check(runner, root)
    results = []
    for phase in chosen:
        results.append(PhaseResult(phase, "—", [validate_phase(cfg, phase, terraform)]))
    scan = scan_directories(root, [root / "modules", root / "environments"], _say)
    report = CiReport(results, code_scan=scan, fmt=fmt_result)
    _emit(report, fmt)
    raise typer.Exit(int(report.exit_code))


@o.configured("project", "region", "api_image", "bff_image", "state_bucket")
def ci(
    sel: o.Selection,
    phases: Annotated[Optional[str], typer.Option("--phases", help="Comma-separated phases (default: mvp,growth,scale).", show_default=False)] = None,
    base: Annotated[Optional[str], typer.Option("--base", help="Git ref of the base branch. Offline, each phase is planned against it applied in a sandbox, so the report shows only this change.", show_default=False)] = None,
    fmt: Format = "markdown",
    out_dir: Annotated[Optional[Path], typer.Option("--out-dir", help="Where report.md, report.json, comment.md and masked plan-<phase>.json go (default .pvctl/ci).", show_default=False)] = None,
    quiet_when_unchanged: Annotated[bool, typer.Option("--quiet-when-unchanged", envvar="PVCTL_CI_QUIET_WHEN_UNCHANGED",
                                                       help="Write no comment.md when every phase passes with no changes.")] = False,
    offline: o.Offline = False,
    terraform: o.Terraform = None,
) -> None:
    """The pull-request check: fmt, validate, policies, plan and cost for the phases that matter, one report.

    Live (with Google credentials) the applied phase gates and the next one is a promotion
    preview; offline every phase is planned against --base applied in a sandbox. Exits 1 on a
    failed step, 3 on a guarded destroy/replace in a gating plan, 5 on a policy violation.
    Without --env, every environment of pvctl.toml is planned, each against its own state.
    """
    import os

    from pvctl.ci.model import RunLink
    from pvctl.ci.report import render_json, render_markdown, should_comment
    from pvctl.ci.runner import CiOptions, run_ci_environments

    _check_format(fmt)
    configs = sel.load_each()
    opts = CiOptions(_phase_list(phases), offline=offline, base_ref=base, terraform=terraform, out_dir=out_dir)
    report = run_ci_environments(configs, opts, _say)
    report.run = RunLink.from_env(os.environ)
    target = (out_dir or configs[0].repo_root / ".pvctl" / "ci").resolve()
    markdown = render_markdown(report)
    (target / "report.md").write_text(markdown, encoding="utf-8")
    (target / "report.json").write_text(render_json(report), encoding="utf-8")
    comment = target / "comment.md"
    comment.unlink(missing_ok=True)
    if should_comment(report, quiet_when_unchanged):
        comment.write_text(markdown, encoding="utf-8")
    _emit(report, fmt)
    _say(f"reports in {target}")
    raise typer.Exit(int(report.exit_code))
