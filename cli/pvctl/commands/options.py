"""Command-line options shared by pvctl commands, and the configuration they select."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def _complete_phase(incomplete: str) -> list[str]:
    from pvctl.core.phases import phase_names

    return [p for p in phase_names() if p.startswith(incomplete)]


Phase = Annotated[str, typer.Option("--phase", "-p", help="Phase: mvp, growth or scale.", autocompletion=_complete_phase)]
ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="Configuration file (default: <repo>/pvctl.toml; env PVCTL_CONFIG).", show_default=False)]
Repo = Annotated[Optional[Path], typer.Option("--repo", help="Infrastructure repository root (default: found above the current folder; env PVCTL_REPO).", show_default=False)]
Project = Annotated[Optional[str], typer.Option("--project", help="GCP project ID (env PVCTL_PROJECT).", show_default=False)]
Region = Annotated[Optional[str], typer.Option("--region", help="Region (env PVCTL_REGION).", show_default=False)]
ApiImage = Annotated[Optional[str], typer.Option("--api-image", help="API container image (env PVCTL_API_IMAGE).", show_default=False)]
BffImage = Annotated[Optional[str], typer.Option("--bff-image", help="BFF container image (env PVCTL_BFF_IMAGE).", show_default=False)]
StateBucket = Annotated[Optional[str], typer.Option("--state-bucket", help="GCS bucket of the shared state (env PVCTL_STATE_BUCKET).", show_default=False)]
Terraform = Annotated[Optional[str], typer.Option("--terraform", help="Use this terraform executable instead of the bundled one (env PVCTL_TERRAFORM); it must match .terraform-version.", show_default=False)]
Offline = Annotated[bool, typer.Option("--offline", help="Work on the local sandbox state with the stand-in provider; nothing reaches Google Cloud.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout; everything else goes to stderr.")]


def load(config: Path | None, repo: Path | None, project: str | None = None, region: str | None = None,
         api_image: str | None = None, bff_image: str | None = None, state_bucket: str | None = None):
    """Load and validate the configuration; print its warnings on stderr."""
    from pvctl.core import console
    from pvctl.core.config import load_config

    cfg = load_config(repo_root=repo, config_path=config, flags={
        "project_id": project, "region": region, "api_image": api_image, "bff_image": bff_image, "state_bucket": state_bucket,
    })
    # The traffic profile's own rules live with the estimator; checked here so a bad value stops every command.
    from pvctl.cost.usage import check_overrides

    check_overrides(cfg.usage_overrides)
    for line in cfg.warnings:
        console.warning(line)
    return cfg
