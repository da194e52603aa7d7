"""Render a phase's Terraform inputs (JSON) and backend selection (Jinja2 templates in templates/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pvctl.core.config import Config
from pvctl.core.errors import PvctlError
from pvctl.core.files import private_dir, write_atomic
from pvctl.core.hcl import hcl_string
from pvctl.core.phases import SLO_ALERT_KEYS, effective_tables, get_phase, slo_thresholds
from pvctl.core.repo import Mode

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class Rendered:
    tfvars: Path
    backend_config: Path          # -backend-config file: the gcs bucket and prefix, or the local state path
    override: Path | None         # environments/pvctl_override.tf selecting a local state
    state_path: Path | None       # the local state file, when the backend is local


def phase_inputs(config: Config, phase: str) -> dict[str, dict[str, Any]]:
    """The phase's tables as Terraform will see them (phases.toml + overrides + budget + [slo] alert keys)."""
    tables = effective_tables(get_phase(phase, config.phases_file), config.phase_overrides)
    if "monitoring" in tables:
        # A phases file from before [slo] (an old base commit in pvctl ci) renders as it is: its
        # own Terraform does not take these keys.
        slo = slo_thresholds(config.phases_file)
        tables["monitoring"] |= {key: slo[key] for key in SLO_ALERT_KEYS if key in slo}
    if "budget" in tables and config.budget_usd is not None:
        tables["budget"]["amount_usd"] = config.budget_usd
    return tables


def _environment(repo: Path) -> jinja2.Environment:
    import jinja2  # only the render path pays for it

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
    """The values of the composition's input variables for this phase (contract: docs/architecture.md).

    A phase's tables (phases.toml + overrides) each become one object variable; the variables of
    tables the phase lacks stay unset (null), which turns their modules off.
    """
    tables = phase_inputs(config, phase)
    values: dict[str, Any] = {
        "phase": phase,
        "phase_order": get_phase(phase, config.phases_file).order,
        "project_id": config.project_id,
        "region": config.region,
        "domain": config.domain,
        "name_prefix": config.name_prefix,
        "labels": config.labels,
        "api_image": config.images.get("api"),
        "deletion_protection": config.deletion_protection,
        "images_managed_by_ci": config.images_managed_by_ci,
        "db_admin_password_version": config.db_admin_password_version,
    }
    if "bff" in tables:
        values["bff_image"] = config.images.get("bff")
    if "monitoring" in tables:
        values["alert_email"] = config.alert_email
    if "budget" in tables:
        values["billing_account"] = config.billing_account or ""
    return values | tables


def local_state_path(config: Config, mode: Mode) -> Path:
    """The state file of a run without a state bucket: the sandbox offline (the base's for pvctl ci)."""
    return config.sandbox_state if mode == "offline" and config.sandbox_state else config.paths.local_state(config.project_id, mode)


def render_phase(config: Config, phase: str, mode: Mode) -> Rendered:
    """Write .pvctl/<phase>/terraform.tfvars.json and the backend selection for this mode.

    live + bucket: a -backend-config file, and no override (the gcs backend stays);
    live without a bucket: a local state under .pvctl/state/<project>/;
    offline: always the sandbox state under .pvctl/sandbox/<project>/ — never the real one.
    """
    config.require_for_phase(phase)
    paths = config.paths
    env_dir = paths.environment(phase)
    if not paths.has_root(env_dir):
        raise PvctlError(f"{env_dir.relative_to(paths.root)}: no Terraform files", "restore the composition from git")
    private_dir(paths.phase_dir(phase), paths.work)

    tfvars = paths.tfvars(phase)
    tfvars.write_text(json.dumps(render_tfvars(config, phase), indent=2) + "\n", encoding="utf-8")

    override = paths.override(phase)
    if mode == "live" and config.state_bucket:
        backend = paths.backend_config(phase)
        backend.write_text(
            render_text(config.repo_root, "backend.gcs.tfbackend.j2", bucket=config.state_bucket, prefix=config.state_prefix),
            encoding="utf-8",
        )
        # Every phase shares the one root and its override: a live plan with a bucket removes it.
        override.unlink(missing_ok=True)
        return Rendered(tfvars, backend, None, None)

    state = local_state_path(config, mode)
    private_dir(state.parent, paths.work)  # the state holds secrets (e.g. the Redis AUTH string)
    # The state path goes to `init -backend-config`, per phase: phases planned side by side
    # (pvctl ci, each against its own base sandbox) share the one root and its override, so the
    # override only selects the local backend and its text is the same for every run.
    backend = paths.backend_config(phase)
    write_atomic(backend, f"path = {hcl_string(str(state))}\n")  # no template: a base commit's templates/ lack one
    reason = "offline sandbox state" if mode == "offline" else "no state bucket configured"
    # `path` only for a base commit's older template, which wrote the path into the override.
    text = render_text(config.repo_root, "pvctl_override.tf.j2", path=str(state), reason=reason)
    write_atomic(override, text, mode=0o644)
    return Rendered(tfvars, backend, override, state)
