"""The google provider's behaviour per resource type, from `data/google.rules.json.gz` (see `rules_build`).

Loaded once per provider process; each type's entry is a JSON string parsed only when a run
touches that type (Terraform starts the provider several times per command).
Paths are dotted attribute names through nested blocks (`settings.ip_configuration.ipv4_enabled`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pvctl.core.once import once

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "google.rules.json.gz"
PRESENCE_RULES = ("conflicts_with", "exactly_one_of", "at_least_one_of", "required_with")


@once
def document() -> dict[str, Any]:
    with gzip.open(RULES_FILE, "rb") as fh:
        return json.load(fh)


def source() -> dict[str, str]:
    """Repository, commit, provider version and licence of the source the rules were derived from."""
    return document()["source"]


def sensitive_paths(kind: str, type_name: str) -> list[str] | None:
    """Sensitive attribute paths of a type (`kind`: resource, data, ephemeral, provider); None if not derived."""
    section = document()["sensitive"].get(kind, {})
    if kind == "resource" and type_name in document()["resources"]:
        return section.get(type_name, [])
    return section.get(type_name)


def version_note(schema_version: str) -> str | None:
    """One line when the rules come from another provider release than the schema, else None."""
    src = source()
    if src["provider_version"] == schema_version:
        return None
    version = src["provider_version"]
    return (f"offline checks follow hashicorp/google {version} (commit {src['commit'][:12]}) while the schema is "
            f"{schema_version}: rules added or changed after {version} are not checked offline")


@dataclass(frozen=True)
class TypeRules:
    type_name: str
    file: str = ""
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    delete_guards: tuple[dict[str, Any], ...] = ()
    deletion_policy_default: str | None = None

    @cached_property
    def force_new(self) -> tuple[str, ...]:
        return tuple(p for p, r in self.attributes.items() if r.get("force_new"))

    @cached_property
    def defaults(self) -> tuple[tuple[str, Any], ...]:
        # A Default of "" plans nothing: the SDK's string diff sees no change from an absent value.
        return tuple((p, r["default"]) for p, r in self.attributes.items() if r.get("default", "") != "")

    @cached_property
    def checked(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """Paths with a value check, a list size or a presence rule."""
        keys = ("validate", "validate_elements", "min_items", "max_items", *PRESENCE_RULES)
        return tuple((p, r) for p, r in self.attributes.items() if any(k in r for k in keys))


@cache
def rules_for(type_name: str) -> TypeRules:
    """A type's rules; a type the source did not yield has none (the schema alone then decides)."""
    encoded = document()["resources"].get(type_name)
    if encoded is None:
        return TypeRules(type_name)
    raw = json.loads(encoded)
    return TypeRules(type_name, raw["file"], raw["attributes"], tuple(raw.get("delete_guards", ())),
                     raw.get("deletion_policy_default"))
