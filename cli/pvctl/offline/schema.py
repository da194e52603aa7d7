"""The hashicorp/google 8.7.0 schema (from `schema_build`), loaded lazily, once per process.

The stand-in starts at least once per pvctl command, so loading stays cheap: each type's JSON text is split
out once into the stand-in's cache (`derived`), and parsed into a typed view only when a run
touches that type.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pvctl.core.once import once
from pvctl.offline.derived import derived

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
    block: Block
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
    """Typed views of the schema's types, each parsed from its own JSON text when a run first asks for it."""

    def __init__(self, texts: dict[str, dict[str, str]]) -> None:
        self._texts = texts  # section ("provider", "resource_schemas", ...) -> type name -> JSON text
        self._cache: dict[tuple[str, str], TypeSchema] = {}
        self._lock = threading.Lock()  # the stand-in's gRPC threads ask at once

    @property
    def provider(self) -> TypeSchema:
        return self._typed("provider", "google", self._texts["provider"]["google"])

    def get(self, kind: Kind, name: str) -> TypeSchema | None:
        text = self._texts[_SECTION[kind]].get(name)
        return None if text is None else self._typed(kind, name, text)

    def names(self, kind: Kind) -> list[str]:
        return sorted(self._texts[_SECTION[kind]])

    def _typed(self, kind: str, name: str, text: str) -> TypeSchema:
        key = (kind, name)
        with self._lock:
            if key not in self._cache:
                raw = json.loads(text)
                mark_sensitive(kind, name, raw)
                self._cache[key] = TypeSchema(name, kind, raw.get("version", 0), Block(raw["block"]))  # type: ignore[arg-type]
            return self._cache[key]


def raw_schema() -> dict:
    """The whole `terraform providers schema -json` document (`sensitive` not applied yet, see below),
    parsed afresh for each caller: those derive cached files from it and may mark it (0.2 s of CPU,
    paid when the stand-in's cache is cold)."""
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


def _type_lines() -> bytes:
    """Each type's schema on a line of its own, `<section> <name> <JSON>`: the compact JSON of a type
    holds no newline. Splitting these lines costs a hundredth of parsing the whole document."""
    raw = raw_schema()["provider_schemas"][PROVIDER_ADDRESS]
    entries = [("provider", "google", raw["provider"])]
    entries += [(section, name, entry) for section in _SECTION.values() for name, entry in raw[section].items()]
    return "\n".join(f"{section} {name} {json.dumps(entry, separators=(',', ':'))}" for section, name, entry in entries).encode()


def type_lines(env: Mapping[str, str] = os.environ) -> bytes:
    """`_type_lines`, from the stand-in's cache when it holds them."""
    return derived("schema-types", (SCHEMA_FILE, Path(__file__)), _type_lines, env)


@once
def load_schema() -> ProviderSchema:
    texts: dict[str, dict[str, str]] = {"provider": {}, **{section: {} for section in _SECTION.values()}}
    for line in type_lines().decode().splitlines():
        section, name, text = line.split(" ", 2)
        texts[section][name] = text
    return ProviderSchema(texts)
