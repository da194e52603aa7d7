"""A local Terraform state that cannot be trusted is refused before Terraform reads it.

Terraform reads an empty state file as "no state": it would plan to create everything again,
beside what is already running. A file that is not a state document stops Terraform with a
long multi-line error. Both become one line naming the file and its backup.
"""

from __future__ import annotations

import json
from pathlib import Path

from pvctl.core.errors import PvctlError


class DamagedState(PvctlError):
    """The local state file is empty or not a Terraform state."""


def backup_of(state: Path) -> Path:
    return state.with_name(state.name + ".backup")   # Terraform's local backend keeps the previous state here


def check_local_state(state: Path) -> None:
    """Raise DamagedState when `state` exists but is empty or not a Terraform state document."""
    try:
        data = state.read_bytes()
    except FileNotFoundError:
        return  # no state yet: a first apply
    problem = None
    if not data.strip():
        if state.with_name(f".{state.name}.lock.info").exists():
            return  # another command holds the lock of a state it is creating: Terraform waits for it
        problem = "is empty"
    else:
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            problem = "is not valid JSON"
        else:
            if not isinstance(doc, dict) or not isinstance(doc.get("version"), int) or "lineage" not in doc:
                problem = "is not a Terraform state (no version and lineage)"
    if problem is None:
        return
    backup = backup_of(state)
    if backup.is_file() and backup.stat().st_size > 0:
        fix = f"restore the previous state from its backup: cp '{backup}' '{state}' (then plan to see what changed since)"
    else:
        fix = f"restore it from your own copy; there is no usable backup at {backup}"
    raise DamagedState(
        f"state file {state} {problem}; pvctl will not plan against it (Terraform would plan to create everything again)", fix
    )
