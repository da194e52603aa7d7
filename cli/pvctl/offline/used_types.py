"""The google types a Terraform root can name: what the stand-in server must give Terraform the
schemas of (`schema_subset`) for a command in that root to behave as with the whole schema.

Terraform needs a type's schema when the configuration declares it (in the root or any module it
calls) or the state holds it (an object the configuration no longer declares is planned for
destruction). Every `google_…` word of every configuration file counts, wherever it stands (a
superset: a word that is no type costs nothing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_TYPE = re.compile(rb"\bgoogle_[a-z0-9_]+")
# A module call's local source, in HCL (`source = "../x"`) or JSON (`"source": "../x"`).
_LOCAL_SOURCE = re.compile(rb'\bsource"?\s*[=:]\s*"(\.{1,2}/[^"]*)"')


def _installed_modules(root: Path, data_dir: Path | None) -> list[Path]:
    """The folders of the modules `terraform init` installed for `root`, whatever their source."""
    manifest = (data_dir or root / ".terraform") / "modules" / "modules.json"
    try:
        modules = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [root / m["Dir"] for m in modules if isinstance(m, dict) and isinstance(m.get("Dir"), str)]


def config_types(root: Path, data_dir: Path | None = None) -> set[str]:
    """The `google_…` words of the configuration's files: the root's, and those of the modules it
    calls by local path (followed before any init) or that init installed (TF_DATA_DIR)."""
    names: set[str] = set()
    seen: set[Path] = set()
    todo = [root, *_installed_modules(root, data_dir)]
    while todo:
        folder = todo.pop().resolve()
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        for file in [*folder.glob("*.tf"), *folder.glob("*.tf.json")]:
            text = file.read_bytes()
            names.update(word.decode() for word in _TYPE.findall(text))
            todo += [folder / source.decode() for source in _LOCAL_SOURCE.findall(text)]
    return names


def state_types(state: Path) -> set[str]:
    """The `google_…` resource types a state file holds (none when it is missing or unreadable: the
    commands that read it report that themselves)."""
    try:
        resources = json.loads(state.read_text(encoding="utf-8")).get("resources") or []
    except (OSError, ValueError, AttributeError):
        return set()
    return {r["type"] for r in resources if isinstance(r, dict) and str(r.get("type", "")).startswith("google_")}


def used_types(root: Path, state: Path | None = None, data_dir: Path | None = None) -> set[str]:
    return config_types(root, data_dir) | (state_types(state) if state else set())
