"""Saved plans and their sidecar: what a plan was made from, so apply can refuse a stale one.

The fingerprint covers what Terraform would read from disk at plan time: the rendered
inputs, the backend selection, and every .tf file of the phase's environment and of
modules/. State changes since the plan are caught by Terraform itself ("Saved plan
is stale"), which pvctl maps to the same refusal.

Also the phase's *applied record* (`.pvctl/<phase>/applied.json`): the plan JSON of the
last successful live apply on this machine, with when, to which project and from which
plan file. `pvctl status` compares live values with it (never with a merely saved plan).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from pvctl.core.errors import GuardRefusal
from pvctl.core.files import write_atomic
from pvctl.core.repo import Mode, RepoPaths


@dataclass(frozen=True)
class PlanMeta:
    phase: str
    mode: Mode
    project_id: str
    fingerprint: str
    destroy: bool
    has_changes: bool
    terraform_version: str
    created_at: str


def sidecar_of(plan_file: Path) -> Path:
    return plan_file.with_suffix(".meta.json")


def json_of(plan_file: Path) -> Path:
    return plan_file.with_suffix(".json")


def _inputs(paths: RepoPaths, phase: str) -> Iterable[Path]:
    yield paths.tfvars(phase)
    yield paths.backend_config(phase)
    yield from sorted(paths.environment(phase).glob("*.tf"))
    modules = paths.root / "modules"
    if modules.is_dir():
        yield from sorted(modules.rglob("*.tf"))


def fingerprint(paths: RepoPaths, phase: str) -> str:
    digest = hashlib.sha256()
    for path in _inputs(paths, phase):
        if path.is_file() and ".terraform" not in path.parts:
            digest.update(str(path.relative_to(paths.root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_meta(plan_file: Path, meta: PlanMeta) -> None:
    sidecar_of(plan_file).write_text(json.dumps(asdict(meta), indent=2) + "\n", encoding="utf-8")


def new_meta(paths: RepoPaths, phase: str, mode: Mode, project_id: str, destroy: bool, has_changes: bool, terraform_version: str) -> PlanMeta:
    return PlanMeta(phase, mode, project_id, fingerprint(paths, phase), destroy, has_changes, terraform_version,
                    datetime.now(timezone.utc).isoformat(timespec="seconds"))


def read_meta(plan_file: Path, phase: str) -> PlanMeta:
    replan = f"run `pvctl plan --phase {phase}` and apply the plan it saves"
    if not plan_file.is_file():
        raise GuardRefusal(f"plan file {plan_file} does not exist", replan)
    try:
        return PlanMeta(**json.loads(sidecar_of(plan_file).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise GuardRefusal(f"plan file {plan_file} has no readable {sidecar_of(plan_file).name} (not made by pvctl plan)", replan) from None


def check_applicable(meta: PlanMeta, paths: RepoPaths, phase: str, mode: Mode, project_id: str) -> None:
    """Refuse a plan made for another phase, project or mode, or from other inputs."""
    replan = f"re-plan with `pvctl plan --phase {phase}{' --offline' if mode == 'offline' else ''}`"
    if meta.phase != phase:
        raise GuardRefusal(f"the saved plan is for phase {meta.phase}, not {phase}", replan)
    if meta.mode != mode:
        if meta.mode == "offline":
            raise GuardRefusal("the saved plan was made offline (sandbox state, stand-in provider) and cannot be applied to Google Cloud",
                               f"re-plan with credentials: `pvctl plan --phase {phase}`, or apply it to the sandbox with --offline")
        raise GuardRefusal("the saved plan was made against Google Cloud and cannot be applied to the offline sandbox", replan)
    if meta.project_id != project_id:
        raise GuardRefusal(f"the saved plan is for project {meta.project_id}, the configuration now says {project_id}", replan)
    if meta.fingerprint != fingerprint(paths, phase):
        raise GuardRefusal("the saved plan is stale: the configuration or the .tf files changed since it was made", replan)


# --- the last live apply ----------------------------------------------------------------

APPLIED_FORMAT = 1


@dataclass(frozen=True)
class AppliedRecord:
    phase: str
    project_id: str
    applied_at: str                 # ISO 8601, UTC
    plan_file: str                  # the saved plan that was applied
    destroy: bool                   # a destroy plan: Terraform left nothing of the phase running
    plan: dict[str, Any]            # `terraform show -json` of that plan (holds secrets: owner-only file)


def applied_of(paths: RepoPaths, phase: str) -> Path:
    return paths.phase_dir(phase) / "applied.json"


def write_applied(paths: RepoPaths, record: AppliedRecord) -> Path:
    path = applied_of(paths, record.phase)
    write_atomic(path, json.dumps({"format": APPLIED_FORMAT, **asdict(record)}) + "\n")
    return path


def forget_applied(paths: RepoPaths, phase: str) -> None:
    """Drop the record (it no longer describes what was applied last)."""
    with contextlib.suppress(FileNotFoundError):
        applied_of(paths, phase).unlink()


def read_applied(path: Path) -> AppliedRecord | None:
    """The record, None when there is none; OSError/ValueError when it cannot be read."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != APPLIED_FORMAT or not isinstance(doc.get("plan"), dict):
        raise ValueError(f"not an applied record of format {APPLIED_FORMAT}")
    try:
        return AppliedRecord(phase=str(doc["phase"]), project_id=str(doc["project_id"]), applied_at=str(doc["applied_at"]),
                             plan_file=str(doc["plan_file"]), destroy=bool(doc["destroy"]), plan=doc["plan"])
    except KeyError as exc:
        raise ValueError(f"field {exc} missing") from None
