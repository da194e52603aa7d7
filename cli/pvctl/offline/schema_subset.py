"""The part of the provider schema the stand-in server gives Terraform: the types pvctl says its
Terraform roots can name (`used_types`), not all 1,852 of them.

Terraform decodes and checks every type of a provider's schema on every command that loads the
provider; for hashicorp/google that is ~0.25 s of CPU per command, most of an offline plan's time.
pvctl writes the types its roots name into a file the server reads on each GetProviderSchema
(the set only grows during a run). Without that file, e.g. for a plain `terraform plan` through
dev_overrides, the whole schema is served.

A type the roots name that the provider does not have (a typo) brings along every type within the
edit distance Terraform's "Did you mean" suggestion looks at, so that the error reads as it would
with the whole schema.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

ENV_TYPES_FILE = "PVCTL_STANDIN_TYPES"  # the file of type names, one per line, that pvctl keeps for its server
_SECTIONS = ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas")
# Terraform's didyoumean.NameSuggestion offers a name whose Levenshtein distance is below 3.
_SUGGESTION_DISTANCE = 3


def requested_types(env: Mapping[str, str] = os.environ) -> frozenset[str] | None:
    """The type names pvctl asked for, or None (serve the whole schema): no file named, or none yet."""
    path = env.get(ENV_TYPES_FILE)
    if not path:
        return None
    try:
        return frozenset(Path(path).read_text(encoding="utf-8").split())
    except OSError:
        return None


def _near(a: str, b: str) -> bool:
    """Whether the Levenshtein distance of a and b is below the suggestion distance (stops early)."""
    if abs(len(a) - len(b)) >= _SUGGESTION_DISTANCE:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= _SUGGESTION_DISTANCE:
            return False
        previous = current
    return previous[-1] < _SUGGESTION_DISTANCE


def served_names(requested: Iterable[str], known: Iterable[str]) -> set[str]:
    """The known names to serve: those requested, and for each requested name the provider lacks,
    the names Terraform could suggest instead."""
    known = set(known)
    wanted = set(requested)
    served = wanted & known
    for unknown in wanted - known:
        served |= {name for name in known if _near(unknown, name)}
    return served


class SubsetAnswers:
    """Serialized GetProviderSchema answers per requested set, cut from the whole one."""

    def __init__(self, whole: bytes, response_type: type) -> None:
        self._whole = whole
        self._type = response_type
        self._known: set[str] | None = None
        self._answers: dict[frozenset[str], tuple[bytes, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def answer(self, requested: frozenset[str]) -> tuple[bytes, frozenset[str]]:
        """The answer holding only the served types, and their names."""
        with self._lock:
            if requested not in self._answers:
                response = self._type()
                response.ParseFromString(self._whole)
                if self._known is None:
                    self._known = {name for section in _SECTIONS for name in getattr(response, section)}
                served = frozenset(served_names(requested, self._known))
                for section in _SECTIONS:
                    entries = getattr(response, section)
                    for name in [n for n in entries if n not in served]:
                        del entries[name]
                self._answers[requested] = (response.SerializeToString(deterministic=True), served)
            return self._answers[requested]
