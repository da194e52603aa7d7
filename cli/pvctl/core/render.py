"""Render a phase's Terraform inputs and backend selection from templates/ (Jinja2)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pvctl.core.config import Config
from pvctl.core.errors import PvctlError
from pvctl.core.files import private_dir
from pvctl.core.phases import effective_tables, get_phase
from pvctl.core.repo import Mode, RepoPaths


@dataclass(frozen=True)
class Rendered:
    tfvars: Path
    backend_config: Path | None   # -backend-config file for the gcs backend
    override: Path | None         # environments/<P>/pvctl_override.tf selecting a local state
    state_path: Path | None       # the local state file, when the backend is local


def phase_inputs(config: Config, phase: str) -> dict[str, dict[str, Any]]:
    """The phase's tables as Terraform will see them (phases.toml + overrides + budget)."""
    tables = effective_tables(get_phase(phase, config.phases_file), config.phase_overrides)
    if "budget" in tables and config.budget_usd is not None:
        tables["budget"]["amount_usd"] = config.budget_usd
    return tables


def _environment(repo: Path):
    import jinja2  # only the render path pays for it

    from pvctl.core.hcl import hcl_string

    folder = repo / "templates"
    if not folder.is_dir():
        raise PvctlError(f"templates: {folder} is missing", "run pvctl from a complete checkout of the infrastructure repository")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["hcl"] = hcl_string  # strings in .tf/.tfbackend files: no template evaluation
    return env


def render_text(repo: Path, template: str, **context: Any) -> str:
    import jinja2

    try:
        return _environment(repo).get_template(template).render(**context)
    except jinja2.TemplateNotFound:
        raise PvctlError(f"templates/{template}: missing", "restore it from git") from None
    except jinja2.UndefinedError as exc:
        raise PvctlError(f"templates/{template}: {exc.message}", "fix the template or the configuration it reads") from None


def render_tfvars(config: Config, phase: str) -> dict[str, Any]:
    text = render_text(config.repo_root, "terraform.tfvars.json.j2", config=config, tables=phase_inputs(config, phase))
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PvctlError(f"templates/terraform.tfvars.json.j2 rendered invalid JSON ({exc})", "fix the template") from None


def render_phase(config: Config, phase: str, mode: Mode) -> Rendered:
    """Write .pvctl/<phase>/terraform.tfvars.json and the backend selection for this mode.

    live + bucket: a -backend-config file, and no override (the gcs backend stays);
    live without a bucket: a local state under .pvctl/state/<project>/;
    offline: always the sandbox state under .pvctl/sandbox/<project>/ — never the real one.
    """
    config.require_for_phase(phase)
    paths = RepoPaths(config.repo_root)
    env_dir = paths.environment(phase)
    if not any(p.name != "pvctl_override.tf" for p in env_dir.glob("*.tf")):
        raise PvctlError(f"environments/{phase}: no Terraform files", "restore the phase's root module from git")
    private_dir(paths.phase_dir(phase), paths.work)

    tfvars = paths.tfvars(phase)
    tfvars.write_text(json.dumps(render_tfvars(config, phase), indent=2) + "\n", encoding="utf-8")

    override = paths.override(phase)
    if mode == "live" and config.state_bucket:
        backend = paths.backend_config(phase)
        backend.write_text(render_text(config.repo_root, "backend.gcs.tfbackend.j2", bucket=config.state_bucket, prefix=config.state_prefix), encoding="utf-8")
        override.unlink(missing_ok=True)
        return Rendered(tfvars, backend, None, None)

    paths.backend_config(phase).unlink(missing_ok=True)
    state = config.sandbox_state if mode == "offline" and config.sandbox_state else paths.local_state(config.project_id, mode)
    private_dir(state.parent, paths.work)  # the state holds secrets (e.g. the Redis AUTH string)
    reason = "offline sandbox state" if mode == "offline" else "no state bucket configured"
    override.write_text(render_text(config.repo_root, "pvctl_override.tf.j2", path=str(state), reason=reason), encoding="utf-8")
    return Rendered(tfvars, None, override, state)
