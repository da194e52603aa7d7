"""The hashicorp/google 8.7.0 schema (from `schema_build`), loaded lazily, once per process.

Terraform starts the provider several times per command, so loading stays cheap: one
gzip+json read on first use, and typed views built only for the types a run touches.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/google"
PROVIDER_VERSION = "8.7.0"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / f"google-{PROVIDER_VERSION}.schema.json.gz"

Kind = Literal["resource", "data", "ephemeral"]
_SECTION = {"resource": "resource_schemas", "data": "data_source_schemas", "ephemeral": "ephemeral_resource_schemas"}
CtyType = Any  # cty JSON type: "string" | ["list", T] | ["object", {name: T}] | ...


@dataclass(frozen=True)
class Attribute:
    name: str
    type: CtyType
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    write_only: bool = False


@dataclass(frozen=True)
class NestedBlock:
    name: str
    nesting: Literal["single", "list", "set", "map", "group"]
    block: "Block"
    min_items: int = 0
    max_items: int = 0


class Block:
    def __init__(self, raw: dict) -> None:
        self.raw = raw

    @cached_property
    def attributes(self) -> dict[str, Attribute]:
        return {
            name: Attribute(
                name, a["type"], a.get("required", False), a.get("optional", False), a.get("computed", False),
                a.get("sensitive", False), a.get("write_only", False),
            )
            for name, a in self.raw.get("attributes", {}).items()
        }

    @cached_property
    def block_types(self) -> dict[str, NestedBlock]:
        return {
            name: NestedBlock(name, b["nesting_mode"], Block(b["block"]), b.get("min_items", 0), b.get("max_items", 0))
            for name, b in self.raw.get("block_types", {}).items()
        }

    @cached_property
    def implied_type(self) -> CtyType:
        """The object type Terraform gives a value of this block (as in state and plans)."""
        fields: dict[str, CtyType] = {name: a.type for name, a in self.attributes.items()}
        for name, nb in self.block_types.items():
            inner = nb.block.implied_type
            fields[name] = inner if nb.nesting in ("single", "group") else [nb.nesting, inner]
        return ["object", fields]


@dataclass(frozen=True)
class TypeSchema:
    name: str
    kind: Kind | Literal["provider"]
    version: int
    block: Block


class ProviderSchema:
    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self._cache: dict[tuple[str, str], TypeSchema] = {}

    @property
    def provider(self) -> TypeSchema:
        return self._typed("provider", "google", self.raw["provider"])

    def get(self, kind: Kind, name: str) -> TypeSchema | None:
        raw = self.raw[_SECTION[kind]].get(name)
        return None if raw is None else self._typed(kind, name, raw)

    def names(self, kind: Kind) -> list[str]:
        return sorted(self.raw[_SECTION[kind]])

    def _typed(self, kind: str, name: str, raw: dict) -> TypeSchema:
        key = (kind, name)
        if key not in self._cache:
            mark_sensitive(kind, name, raw)  # only for the types a run touches: marking all costs ~0.1 s
            self._cache[key] = TypeSchema(name, kind, raw.get("version", 0), Block(raw["block"]))  # type: ignore[arg-type]
        return self._cache[key]


@lru_cache(maxsize=1)
def raw_schema() -> dict:
    """The whole `terraform providers schema -json` document (`sensitive` not applied yet, see below)."""
    with gzip.open(SCHEMA_FILE, "rb") as fh:
        return json.load(fh)


def mark_all_sensitive(provider: dict) -> None:
    """Apply `sensitive` to every type (for the schema answer Terraform gets, which is cached)."""
    targets = [("provider", "google", provider["provider"])]
    targets += [(kind, name, entry) for kind, section in _SECTION.items() for name, entry in provider[section].items()]
    for kind, name, entry in targets:
        mark_sensitive(kind, name, entry)


def mark_sensitive(kind: str, name: str, entry: dict) -> None:
    # The schema's bindings lose the Sensitive flag; the rules file, derived from the
    # provider's source, has it for every type it parsed (types it did not parse keep theirs).
    from pvctl.offline.rules import sensitive_paths

    paths = sensitive_paths(kind, name)
    if paths is not None:
        _mark_block(entry["block"], set(paths), "")


def _mark_block(block: dict, paths: set[str], prefix: str) -> None:
    for name, attr in block.get("attributes", {}).items():
        if prefix + name in paths:
            attr["sensitive"] = True
        else:
            attr.pop("sensitive", None)
    for name, nested in block.get("block_types", {}).items():
        _mark_block(nested["block"], paths, f"{prefix}{name}.")


@lru_cache(maxsize=1)
def load_schema() -> ProviderSchema:
    return ProviderSchema(raw_schema()["provider_schemas"][PROVIDER_ADDRESS])
