"""The product speaks for itself: no tracked file points at the design notes or the seed documents.

Those live outside the repository, so a reader of the code, docs, tests or output cannot follow such a
reference; where a fact needs a source, the text cites the public one (a Google documentation URL, or the
provider source file for provider behaviour).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Each pattern is a way text has named those documents: "seed 002", "the seeds", "seed documents",
# "DESIGN §2", "DESIGN.md", "design notes", "../shared", "shared/seeds". Resource or method names
# such as `secret_version.seed` are not references and do not match.
REFERENCES = (
    re.compile(r"\bseed(?:s\b|\s+(?:doc\w*|notes?|files?|\d+)\b)", re.IGNORECASE),
    re.compile(r"\bDESIGN\b"),
    re.compile(r"\bdesign(?:\.md|\s+notes?\b|\s+doc(?:ument)?s?\b)", re.IGNORECASE),
    re.compile(r"(?:\.\./|\b)shared/", re.IGNORECASE),
)


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.split("\0") if name and name != SELF]


def _references(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)
            if any(pattern.search(line) for pattern in REFERENCES)]


def test_patterns_catch_the_forms_used_and_spare_resource_names() -> None:
    caught = ["# seed 002: CPU > 70 %", "see DESIGN §2", "DESIGN.md §2-3", "(../shared/ next to the repository)",
              "the seed documents say", "per the design notes"]
    spared = ['"address": "google_secret_manager_secret_version.seed"', "sql.put_instance(...)  # seeded data",
              "when we designed the phases", "a design decision in docs/architecture.md"]
    assert [line for line in caught if not _references(line)] == []
    assert [line for line in spared if _references(line)] == []


def test_no_tracked_file_refers_to_design_notes_or_seed_documents() -> None:
    found = []
    for name in _tracked_files():
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{name}:{number}: {line}" for number, line in _references(text)]
    assert found == [], "cite the public source instead (a Google documentation URL):\n" + "\n".join(found)
