"""The validate step of `pvctl check` / `pvctl ci`: `pvctl validate`'s core as a step result."""

from __future__ import annotations

from pvctl.core.config import Config
from pvctl.core.errors import PvctlError
from pvctl.policy.step import StepResult
from pvctl.policy.terraform_validate import validate_phase as validate_root


def validate_phase(config: Config, phase: str, terraform: str | None) -> StepResult:
    try:
        validate_root(config, phase, terraform)
    except PvctlError as exc:
        return StepResult("validate", "failed", exc.what, exc.fix or "")
    return StepResult("validate", "ok")
