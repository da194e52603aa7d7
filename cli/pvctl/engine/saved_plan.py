"""Saved plans and their sidecar: what a plan was made from, so apply can refuse a stale one.

A saved plan is three files written as a unit: `<name>.tfplan` (Terraform's plan), `<name>.json`
(its `terraform show -json`) and `<name>.meta.json` (the sidecar). The sidecar holds the SHA-256
of the plan file, so a plan replaced after it was reviewed, or a sidecar left over from an
earlier plan, no longer matches and `apply --plan` refuses it. It holds the JSON's too: `apply`
summarises that JSON only while it is byte for byte what `plan` wrote, and otherwise shows the
plan file again. The sidecar is written last and
removed first, so an interrupted or failed `pvctl plan` leaves the previous unit intact or
nothing `apply` would take.

The fingerprint covers what Terraform would read from disk at plan time: the rendered
inputs, the backend selection, and every .tf file of the phase's environment and of
modules/. The state a plan was made against is inside the plan file (its `tfstate` entry, with
the state's lineage and serial); `apply --plan` compares it with the current state before
showing anything, as Terraform does at apply ("Saved plan is stale").

Also the phase's *applied record* (`.pvctl/<phase>/applied.json`): the plan JSON of the
last successful live apply on this machine, with when, to which project and from which
plan file. `pvctl status` compares live values with it (never with a merely saved plan).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pvctl.core.errors import ConfigError, GuardRefusal
from pvctl.core.files import make_private, sha256_of, write_atomic
from pvctl.core.repo import Mode, RepoPaths, config_files


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
    plan_sha256: str            # of the .tfplan file: binds the sidecar (and what was reviewed) to it
    json_sha256: str = ""       # of the .json beside it, as written; "" in sidecars of earlier pvctl versions


PLAN_SUFFIX = ".tfplan"
_ZIP_MAGIC = b"PK\x03\x04"    # a Terraform plan file is a zip archive


def sidecar_of(plan_file: Path) -> Path:
    return plan_file.with_suffix(".meta.json")


def json_of(plan_file: Path) -> Path:
    return plan_file.with_suffix(".json")


def _inputs(paths: RepoPaths, phase: str) -> Iterable[Path]:
    yield paths.tfvars(phase)
    yield paths.backend_config(phase)
    yield from config_files(paths.environment(phase))
    yield from config_files(paths.root / "modules", recursive=True)


def fingerprint(paths: RepoPaths, phase: str) -> str:
    digest = hashlib.sha256()
    for path in _inputs(paths, phase):
        if path.is_file() and ".terraform" not in path.parts:
            digest.update(str(path.relative_to(paths.root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def plan_json(plan: dict[str, Any]) -> bytes:
    """The bytes of a plan's JSON as published beside it (and hashed into its sidecar)."""
    return json.dumps(plan).encode()


def new_meta(paths: RepoPaths, phase: str, mode: Mode, project_id: str, destroy: bool, has_changes: bool,
             terraform_version: str, plan_file: Path, published: bytes | None = None) -> PlanMeta:
    """The sidecar of `plan_file`; with `published` (its `plan_json`), bound to the JSON published beside it."""
    return PlanMeta(phase, mode, project_id, fingerprint(paths, phase), destroy, has_changes, terraform_version,
                    datetime.now(UTC).isoformat(timespec="seconds"), sha256_of(plan_file),
                    hashlib.sha256(published).hexdigest() if published is not None else "")


def publish(staged: Path, published: bytes, meta: PlanMeta, dest: Path) -> None:
    """Move a finished plan from its staging folder to `dest`, with its JSON and sidecar (all owner-only).

    From the removal of the old sidecar until the new one lands, `dest` has no sidecar and
    `apply --plan` refuses it; the new sidecar's hash only matches the new plan file.
    """
    make_private(staged)
    sidecar_of(dest).unlink(missing_ok=True)
    os.replace(staged, dest)
    write_atomic(json_of(dest), published)   # plan JSON holds secret values in clear text
    write_atomic(sidecar_of(dest), json.dumps(asdict(meta), indent=2) + "\n")


def published_json(plan_file: Path, meta: PlanMeta) -> dict[str, Any] | None:
    """The plan JSON `pvctl plan` published beside `plan_file`, if it is byte for byte what the sidecar
    recorded; else None (edited, missing, or a sidecar without the hash), and `show -json` of the plan
    gives it again. Terraform's `show -json` costs as much CPU as a third of the plan itself."""
    if not meta.json_sha256:
        return None
    try:
        data = json_of(plan_file).read_bytes()  # read once: what is checked is what is parsed
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != meta.json_sha256:
        return None
    plan: dict[str, Any] = json.loads(data)
    return plan


def is_pvctl_plan(path: Path) -> bool:
    """A plan file saved by pvctl (this version or an earlier one): a zip archive beside its sidecar."""
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != _ZIP_MAGIC:
                return False
        sidecar = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(sidecar, dict) and {"phase", "mode", "fingerprint"} <= sidecar.keys()


def check_out_path(path: Path) -> None:
    """`--out` may name a new file or an earlier pvctl plan, never anything else (a config, a JSON, a folder)."""
    if path.suffix != PLAN_SUFFIX:
        raise ConfigError(
            [
                (
                    "--out",
                    f"{path} does not end in {PLAN_SUFFIX}",
                    f"name the plan file <name>{PLAN_SUFFIX}; its JSON and sidecar go beside it as <name>.json and <name>.meta.json",
                )
            ]
        )
    earlier = path.is_file() and is_pvctl_plan(path)
    for target in (path, json_of(path), sidecar_of(path)):
        if (target.exists() or target.is_symlink()) and not earlier:
            raise ConfigError([("--out", f"{target} exists and is not part of a plan saved by pvctl",
                                "choose a new file name (pvctl only replaces plans it saved itself)")])


def verified_copy(plan_file: Path, meta: PlanMeta, folder: Path) -> Path:
    """A private copy of `plan_file`, checked against the sidecar's hash: what is applied is what was reviewed.

    Copying first means the file cannot change between the check and `terraform apply`.
    """
    copy = folder / plan_file.name
    shutil.copyfile(plan_file, copy)
    make_private(copy)
    if sha256_of(copy) != meta.plan_sha256:
        raise GuardRefusal(f"plan file {plan_file} is not the plan its sidecar {sidecar_of(plan_file).name} describes "
                           "(replaced or rewritten after `pvctl plan` saved it)",
                           f"run `pvctl plan --phase {meta.phase}` again and apply the plan it saves")
    return copy


def read_meta(plan_file: Path, phase: str) -> PlanMeta:
    replan = f"run `pvctl plan --phase {phase}` and apply the plan it saves"
    if not plan_file.is_file():
        raise GuardRefusal(f"plan file {plan_file} does not exist", replan)
    try:
        return PlanMeta(**json.loads(sidecar_of(plan_file).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise GuardRefusal(f"plan file {plan_file} has no readable {sidecar_of(plan_file).name} (not made by pvctl plan)", replan) from None


def replan_fix(phase: str, mode: Mode) -> str:
    return f"re-plan with `pvctl plan --phase {phase}{' --offline' if mode == 'offline' else ''}`"


def check_applicable(meta: PlanMeta, paths: RepoPaths, phase: str, mode: Mode, project_id: str) -> None:
    """Refuse a destroy plan, and a plan made for another phase, project or mode, or from other inputs."""
    replan = replan_fix(phase, mode)
    if meta.destroy:
        raise GuardRefusal("the saved plan is a destroy plan; only `pvctl destroy` applies one, after its typed confirmation",
                           f"run `pvctl destroy --phase {phase}{' --offline' if mode == 'offline' else ''}`")
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


def _version(state: dict[str, Any]) -> tuple[str, int]:
    return str(state.get("lineage") or ""), int(state.get("serial") or 0)


def check_state_unchanged(plan_file: Path, state: dict[str, Any], phase: str, mode: Mode) -> None:
    """Refuse a plan made against another state than `state` (the current one; {} when there is none).

    Terraform's own rule at apply (internal/backend/local/backend_local.go): a plan made with no
    state yet records an empty lineage and serial 0 and is stale once any state is written; any
    other plan is stale when the lineage or the serial differs.
    """
    try:
        with zipfile.ZipFile(plan_file) as archive:
            planned_lineage, planned_serial = _version(json.loads(archive.read("tfstate")))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return  # no readable prior state in the plan: Terraform's own check at apply decides
    lineage, serial = _version(state)
    if (planned_lineage and planned_lineage != lineage) or planned_serial != serial:
        raise GuardRefusal(
            f"the saved plan is stale: the state changed since it was made (state serial {serial}, the plan was made at "
            f"{planned_serial}; applied already?)",
            replan_fix(phase, mode),
        )


# --- the last live apply ----------------------------------------------------------------

APPLIED_FORMAT = 1


@dataclass(frozen=True)
class AppliedRecord:
    phase: str
    project_id: str
    applied_at: str                 # ISO 8601, UTC
    plan_file: str                  # the saved plan that was applied, or a note for an interactive apply
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
