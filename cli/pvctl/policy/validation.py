"""The validate step of `pvctl check` / `pvctl ci`: `pvctl validate`'s core, when it is installed."""

from __future__ import annotations

import importlib
from typing import Callable

from pvctl.ci.model import StepResult
from pvctl.core.config import Config
from pvctl.core.errors import PvctlError

VALIDATE_MODULE = "pvctl.offline.validate"
UNAVAILABLE = "not available: pvctl.offline.validate is not installed (the stand-in provider validates the HCL)"


def _validator() -> Callable[..., object] | None:
    try:
        module = importlib.import_module(VALIDATE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (VALIDATE_MODULE, "pvctl.offline"):
            raise
        return None
    return getattr(module, "validate_phase", None)


def validate_phase(config: Config, phase: str, terraform: str | None) -> StepResult:
    validator = _validator()
    if validator is None:
        return StepResult("validate", "unavailable", UNAVAILABLE)
    try:
        validator(config, phase, terraform)
    except PvctlError as exc:
        return StepResult("validate", "failed", exc.what, exc.fix or "")
    return StepResult("validate", "ok")
