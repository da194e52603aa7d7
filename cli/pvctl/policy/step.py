"""The result of one check step (fmt, validate, policy, plan, cost), as `pvctl check` and `pvctl ci` report it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class StepResult:
    name: str                 # fmt | validate | policy | plan | cost
    status: Status
    summary: str = ""
    details: str = ""         # e.g. fmt's diff or Terraform's error lines (never plan values)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
