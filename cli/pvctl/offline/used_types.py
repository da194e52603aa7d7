"""The google types a Terraform root can name: what the stand-in server must give Terraform the
schemas of (`schema_subset`) for a command in that root to behave as with the whole schema.

Terraform needs a type's schema when the configuration declares it (in the root or any module it
calls) or the state holds it (an object the configuration no longer declares is planned for
destruction); a saved plan carries both, as they were when it was made. Every `google_…` word of
every configuration file counts, wherever it stands, and every resource, data and ephemeral block's
type however it is spelt: a superset, where a name the provider lacks only brings the names
Terraform could suggest for it (`schema_subset`).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from pvctl.core.repo import CONFIG_SUFFIXES, config_files

_TYPE = re.compile(rb"\bgoogle_[a-z0-9_]+")
# A block's type label, quoted or not (`resource "google_compute-address" "a"` is a misspelt type).
_BLOCK_TYPE = re.compile(rb'(?m)^\s*(?:resource|data|ephemeral)\s+"?([A-Za-z0-9_-]+)')
_KINDS = ("resource", "data", "ephemeral")
# A module call's local source, in HCL (`source = "../x"`) or JSON (`"source": "../x"`).
_LOCAL_SOURCE = re.compile(rb'\bsource"?\s*[=:]\s*"(\.{1,2}/[^"]*)"')


def _json_block_types(text: bytes) -> set[str]:
    """The type keys of a .tf.json file's resource, data and ephemeral objects (each may be a list)."""
    try:
        document = json.loads(text)
    except ValueError:
        return set()  # Terraform reports it
    found: set[str] = set()
    for kind in _KINDS:
        blocks = document.get(kind) if isinstance(document, dict) else None
        for block in blocks if isinstance(blocks, list) else [blocks]:
            if isinstance(block, dict):
                found.update(block)
    return found


def _named_in(name: str, text: bytes) -> set[str]:
    """The types one configuration file names."""
    found = {word.decode() for word in _TYPE.findall(text)} | {label.decode() for label in _BLOCK_TYPE.findall(text)}
    return found | (_json_block_types(text) if name.endswith(".tf.json") else set())


def _installed_modules(root: Path, data_dir: Path | None) -> list[Path]:
    """The folders of the modules `terraform init` installed for `root`, whatever their source."""
    manifest = (data_dir or root / ".terraform") / "modules" / "modules.json"
    try:
        modules = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [root / m["Dir"] for m in modules if isinstance(m, dict) and isinstance(m.get("Dir"), str)]


def config_types(root: Path, data_dir: Path | None = None) -> set[str]:
    """The types the configuration's files name (`_named_in`): the root's, and those of the modules
    it calls by local path (followed before any init) or that init installed (TF_DATA_DIR)."""
    names: set[str] = set()
    seen: set[Path] = set()
    todo = [root, *_installed_modules(root, data_dir)]
    while todo:
        folder = todo.pop().resolve()
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        for file in config_files(folder):
            text = file.read_bytes()
            names |= _named_in(file.name, text)
            todo += [folder / source.decode() for source in _LOCAL_SOURCE.findall(text)]
    return names


def _types_of_state(text: str | bytes) -> set[str]:
    try:
        resources = json.loads(text).get("resources") or []
    except (ValueError, AttributeError):
        return set()
    return {r["type"] for r in resources if isinstance(r, dict) and str(r.get("type", "")).startswith("google_")}


def state_types(state: Path) -> set[str]:
    """The `google_…` resource types a state file holds (none when it is missing or unreadable: the
    commands that read it report that themselves)."""
    try:
        return _types_of_state(state.read_bytes())
    except OSError:
        return set()


def plan_types(plan: Path) -> set[str]:
    """The types a saved plan names: its snapshot of the configuration and its prior state, which
    `apply` and `show` use whatever the files on disk say now."""
    names: set[str] = set()
    try:
        with zipfile.ZipFile(plan) as archive:
            for entry in archive.namelist():
                if entry.startswith("tfconfig/") and entry.endswith(CONFIG_SUFFIXES):
                    names |= _named_in(entry, archive.read(entry))
                elif entry in ("tfstate", "tfstate-prev"):  # the prior state, and the one before refresh
                    names |= _types_of_state(archive.read(entry))
    except (OSError, zipfile.BadZipFile):
        return set()  # not a saved plan: Terraform says so
    return names


def _plan_argument(args: Iterable[str], cwd: Path) -> Path | None:
    """The saved plan an `apply PLAN` or `show PLAN` command reads, if it names one."""
    command, *rest = args
    files = [cwd / arg for arg in rest if not arg.startswith("-")]
    return files[-1] if command in ("apply", "show") and files and files[-1].is_file() else None


def command_types(args: Iterable[str], cwd: Path, state: Path | None = None, data_dir: Path | None = None) -> set[str]:
    """The types a Terraform command in `cwd` can need the schemas of: its configuration's, its state's
    (`state`; the local backend's default in `cwd` when None) and those of the saved plan it applies or shows."""
    args = list(args)
    plan = _plan_argument(args, cwd) if args else None
    return (config_types(cwd, data_dir) | state_types(state or cwd / "terraform.tfstate")
            | (plan_types(plan) if plan else set()))
