"""Build `data/google.rules.json.gz`: the google provider's behaviour, read from its Go source.

The schema says which arguments exist; what the provider does with them lives in its
resource files (`google/services/<product>/resource_*.go` of hashicorp/terraform-provider-google):
validators, defaults, ForceNew, Sensitive, ConflictsWith / ExactlyOneOf / AtLeastOneOf /
RequiredWith, list sizes, and the checks its Delete functions make before deleting. This
builder follows each `registry.Schema{...}` registration to its schema literal and writes one
compact entry per type. The provider source is MPL-2.0; the generated file names the repository
and commit it was derived from. What Go code decides at plan time (CustomizeDiff) is not
derivable this way: `pvctl.offline.diff_rules` holds those rules, each citing its source file.

Run against a local checkout or bare mirror (no network):
`python -m pvctl.offline.rules_build --source PATH [--rev REV] [--out PATH]`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from pvctl.offline import gosource as go
from pvctl.offline.schema_build import encode  # sorted, compact, gzip with mtime 0: reproducible bytes

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_OUT = DATA_DIR / "google.rules.json.gz"
REPOSITORY = "https://github.com/hashicorp/terraform-provider-google"
LICENSE = "MPL-2.0"
_SCHEMA_KEYS = ("ConflictsWith", "ExactlyOneOf", "AtLeastOneOf", "RequiredWith")
_RULE_NAMES = {"ConflictsWith": "conflicts_with", "ExactlyOneOf": "exactly_one_of",
               "AtLeastOneOf": "at_least_one_of", "RequiredWith": "required_with"}
_MAX_DEPTH = 12  # recursive schemas (a block containing itself) are cut here


class RulesBuildError(Exception):
    pass


# ---- reading the source ------------------------------------------------------------------

def source_files(source: Path, rev: str) -> tuple[dict[str, str], str]:
    """Every non-test Go file under `google/`, and the commit they come from."""
    git = ["git", "-C", str(source)]
    commit = subprocess.run([*git, "rev-parse", f"{rev}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    listing = subprocess.run([*git, "ls-tree", "-r", commit, "google/"],
                             capture_output=True, text=True, check=True).stdout
    wanted = []
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        if path.endswith(".go") and not path.endswith("_test.go") and "/testutils/" not in path:
            wanted.append((meta.split()[2], path))
    batch = subprocess.run([*git, "cat-file", "--batch"], input="\n".join(sha for sha, _ in wanted).encode(),
                           capture_output=True, check=True).stdout
    files, pos = {}, 0
    for _, path in wanted:
        header_end = batch.index(b"\n", pos)
        size = int(batch[pos:header_end].split()[2])
        files[path] = batch[header_end + 1: header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
    return files, commit


def provider_version(source: Path, commit: str) -> str:
    """The release the commit belongs to: the newest `release-X.Y.Z` branch holding it, else the changelog's."""
    git = ["git", "-C", str(source)]
    branches = subprocess.run([*git, "branch", "--contains", commit, "--format=%(refname:short)"],
                              capture_output=True, text=True).stdout.split()
    releases = sorted((tuple(int(p) for p in m.group(1).split(".")) for b in branches
                       if (m := re.fullmatch(r"release-(\d+\.\d+\.\d+)", b))), reverse=True)
    if releases:
        return ".".join(map(str, releases[0]))
    changelog = subprocess.run([*git, "show", f"{commit}:CHANGELOG.md"], capture_output=True, text=True).stdout
    m = re.search(r"^## (\d+\.\d+\.\d+) \(", changelog, re.M)
    return m.group(1) if m else "unknown"


# ---- evaluating schema literals ----------------------------------------------------------

class Evaluator:
    def __init__(self, index: go.SourceIndex) -> None:
        self.index = index

    def resource(self, expr: str, package: str, env: dict[str, tuple[str, str]] | None = None,
                 depth: int = 0) -> dict | None:
        """Fields of the `*schema.Resource` an expression yields."""
        env = env or {}
        expr = expr.strip()
        if depth > _MAX_DEPTH:
            return None
        if re.match(r"&?schema\.(Resource|Provider)\{", expr):
            body = go.literal_body(expr)
            return None if body is None else {"fields": go.fields(body), "package": package, "env": env}
        target = self._follow(expr, package, env)
        if target is None:
            return None
        inner, inner_package, inner_env = target
        return self.resource(inner, inner_package, inner_env, depth + 1)

    def schema_map(self, expr: str, package: str, env: dict, depth: int = 0) -> dict[str, tuple[str, str, dict]] | None:
        """name -> (entry expression, package, env) of a `map[string]*schema.Schema` expression."""
        expr = expr.strip()
        if depth > _MAX_DEPTH:
            return None
        if expr.startswith("map[string]*schema.Schema{"):
            body = go.literal_body(expr)
            return None if body is None else {k: (v, package, env) for k, v in go.map_entries(body).items()}
        called = go.call(expr)
        if called and called[0].endswith("MergeSchemas"):
            merged: dict = {}
            for arg in called[1]:
                part = self.schema_map(arg, package, env, depth + 1)
                if part is None:
                    return None
                merged.update(part)
            return merged
        if expr.endswith(".Schema"):
            res = self.resource(expr[: -len(".Schema")], package, env, depth + 1)
            if res is None or "Schema" not in res["fields"]:
                return None
            return self.schema_map(res["fields"]["Schema"], res["package"], res["env"], depth + 1)
        target = self._follow(expr, package, env)
        if target is None:
            return None
        return self.schema_map(target[0], target[1], target[2], depth + 1)

    def schema_entry(self, expr: str, package: str, env: dict,
                     depth: int = 0) -> tuple[dict[str, str], str, dict] | None:
        """Fields of a `*schema.Schema` (a map entry `{...}`, `&schema.Schema{...}` or a call)."""
        expr = expr.strip()
        if depth > _MAX_DEPTH:
            return None
        if expr.startswith("{") or expr.startswith("&schema.Schema{") or expr.startswith("schema.Schema{"):
            body = go.literal_body(expr) if not expr.startswith("{") else expr[1: go.closing(expr, 0)]
            return None if body is None else (go.fields(body), package, env)
        target = self._follow(expr, package, env)
        if target is None:
            return None
        return self.schema_entry(target[0], target[1], target[2], depth + 1)

    def _follow(self, expr: str, package: str, env: dict) -> tuple[str, str, dict] | None:
        """One step: an identifier to its value, a call to its function's returned expression."""
        if re.fullmatch(r"[A-Za-z_][\w.]*", expr):
            if expr in env:
                return env[expr][0], env[expr][1], {}
            value = self.index.variable(package, expr)
            if value is None:
                return None
            return value, self._package_of(expr, package), {}
        called = go.call(expr)
        if called is None:
            return None
        func = self.index.func(package, called[0])
        if func is None:
            return None
        body_return = go.returned(func.body)
        if body_return is None:
            return None
        if re.fullmatch(r"\w+", body_return) and body_return not in func.params:
            # `r := &schema.Resource{...}` ... `return r`: the value assigned at the top level.
            m = re.search(rf"^\t{body_return} := ", func.body, re.M)
            if m:
                body_return = go.expression_at(func.body, m.end())
        # Variadic parameters and omitted options leave extra or missing arguments: bind what pairs up.
        pairs = zip(func.params, called[1], strict=False)
        bound = {name: (arg if arg not in env else env[arg][0], package) for name, arg in pairs}
        return body_return, func.package, bound

    def _package_of(self, qualified: str, package: str) -> str:
        qualifier = qualified.rpartition(".")[0]
        if not qualifier:
            return package
        for pkg, _ in self.index.variables:
            if pkg.rsplit("/", 1)[-1] == qualifier:
                return pkg
        return package


# ---- from schema fields to rules ---------------------------------------------------------

def _go_scalar(expr: str, consts: dict[str, str]) -> Any:
    expr = expr.strip()
    s = go.string_value(expr)
    if s is not None:
        return s
    if expr in ("true", "false"):
        return expr == "true"
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    if re.fullmatch(r"-?\d+\.\d*", expr):
        return float(expr)
    return consts.get(expr)


def _number(expr: str) -> float | int | None:
    expr = expr.strip()
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    if re.fullmatch(r"-?\d+\.\d*", expr):
        return float(expr)
    return None


def validators(expr: str, ev: Evaluator, package: str) -> list[dict]:
    """The checks a ValidateFunc / ValidateDiagFunc expression makes that pvctl can run offline."""
    expr = expr.strip()
    called = go.call(expr)
    if called is None:
        return _named_validator(expr, ev, package)
    name, args = called[0].rpartition(".")[2], called[1]
    if name in ("ToDiagFunc", "OrEmpty") and args:
        found = validators(args[0], ev, package)
        return [{**v, "or_empty": True} for v in found] if name == "OrEmpty" else found
    if name == "All":
        return [v for a in args for v in validators(a, ev, package)]
    if name in ("StringInSlice", "ValidateEnum") and args:
        values = go.string_list(args[0])
        ignore_case = len(args) > 1 and args[1].strip() == "true"
        return [{"kind": "enum", "values": values, "ignore_case": ignore_case}] if values is not None else []
    if name in ("ValidateRegexp", "StringMatch") and args:
        arg = args[0]
        inner = go.call(arg)
        if inner and inner[0].endswith("MustCompile") and inner[1]:
            arg = inner[1][0]
        pattern = _go_scalar(arg, ev.index.consts)
        if isinstance(pattern, str) and _python_regex(pattern) is not None:
            return [{"kind": "regex", "pattern": pattern}]
        return []
    bounds = [_number(a) for a in args]
    if name in ("IntBetween", "FloatBetween") and len(bounds) == 2 and None not in bounds:
        return [{"kind": "range", "min": bounds[0], "max": bounds[1]}]
    if name in ("IntAtLeast", "FloatAtLeast") and bounds and bounds[0] is not None:
        return [{"kind": "range", "min": bounds[0], "max": None}]
    if name in ("IntAtMost", "FloatAtMost") and bounds and bounds[0] is not None:
        return [{"kind": "range", "min": None, "max": bounds[0]}]
    if name == "StringLenBetween" and len(bounds) == 2 and None not in bounds:
        return [{"kind": "length", "min": bounds[0], "max": bounds[1]}]
    return []


def _named_validator(name: str, ev: Evaluator, package: str) -> list[dict]:
    """A validator function like `verify.ValidateGCEName`: a fixed regexp handed to ValidateRegexp."""
    func = ev.index.func(package, name) if re.fullmatch(r"[\w.]+", name) else None
    if func is None:
        return []
    m = re.search(r"re := (`[^`]*`|\"(?:[^\"\\]|\\.)*\")\s*\n\s*return ValidateRegexp\(re\)\(v, k\)", func.body)
    if m is None:
        return []
    pattern = go.string_value(m.group(1))
    return [{"kind": "regex", "pattern": pattern}] if pattern and _python_regex(pattern) is not None else []


def _python_regex(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _path(go_path: str) -> str:
    """`settings.0.ip_configuration.0.ipv4_enabled` -> `settings.ip_configuration.ipv4_enabled`."""
    return ".".join(p for p in go_path.split(".") if not p.isdigit())


def collect(ev: Evaluator, entries: dict, prefix: str, out: dict[str, dict], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        return
    for name, (expr, package, env) in sorted(entries.items()):
        entry = ev.schema_entry(expr, package, env)
        if entry is None:
            continue
        f, pkg, entry_env = entry
        path = prefix + name
        rule: dict[str, Any] = {}
        if f.get("ForceNew") == "true":
            rule["force_new"] = True
        if f.get("Sensitive") == "true":
            rule["sensitive"] = True
        if "Default" in f:
            value = _go_scalar(f["Default"], ev.index.consts)
            if value is not None:
                rule["default"] = value
        checks = [v for key in ("ValidateFunc", "ValidateDiagFunc") if key in f for v in validators(f[key], ev, pkg)]
        if checks:
            rule["validate"] = checks
        for key in _SCHEMA_KEYS:
            listed = go.string_list(f.get(key, ""))
            if listed:
                rule[_RULE_NAMES[key]] = [_path(p) for p in listed]
        for key, rule_name in (("MinItems", "min_items"), ("MaxItems", "max_items")):
            n = _number(f.get(key, ""))
            if isinstance(n, int) and n > 0:
                rule[rule_name] = n
        elem = f.get("Elem", "")
        if elem:
            nested = ev.resource(elem, pkg, entry_env)
            if nested is not None and "Schema" in nested["fields"]:
                inner = ev.schema_map(nested["fields"]["Schema"], nested["package"], nested["env"])
                if inner:
                    collect(ev, inner, path + ".", out, depth + 1)
            else:
                plain = ev.schema_entry(elem, pkg, entry_env)
                if plain is not None:
                    elem_checks = [v for key in ("ValidateFunc", "ValidateDiagFunc") if key in plain[0]
                                   for v in validators(plain[0][key], ev, plain[1])]
                    if elem_checks:
                        rule["validate_elements"] = elem_checks
        if rule:
            out[path] = rule


def delete_guards(ev: Evaluator, resource: dict) -> list[dict]:
    """Checks the Delete function makes before deleting: `if d.Get("x").(bool) { return error }`."""
    delete = resource["fields"].get("Delete") or resource["fields"].get("DeleteContext")
    func = ev.index.func(resource["package"], delete) if delete and re.fullmatch(r"[\w.]+", delete) else None
    if func is None:
        return []
    guards = []
    pattern = re.compile(
        r'if d\.Get\("(\w+)"\)\.\((bool|string)\)( == ("[^"]*"))? \{\s*\n'
        r'\s*return (?:fmt|diag)\.Errorf\(("(?:[^"\\]|\\.)*")\)'
    )
    for m in pattern.finditer(func.body):
        equals: Any = True if m.group(2) == "bool" else go.string_value(m.group(4) or '""')
        guards.append({"attribute": m.group(1), "equals": equals, "message": go.string_value(m.group(5))})
    return guards


_FRAMEWORK_TYPE = re.compile(r'resp\.TypeName = req\.ProviderTypeName \+ "(_\w+)"')
_FRAMEWORK_ATTR = re.compile(r'"(\w+)": schema\.\w+Attribute\{')


def framework_sensitive(path: str, text: str) -> tuple[str, str, list[str]] | None:
    """(kind, type, sensitive attributes) of a plugin-framework data source or ephemeral resource file."""
    m = _FRAMEWORK_TYPE.search(text)
    base = path.rsplit("/", 1)[-1]
    kind = "ephemeral" if base.startswith("ephemeral_") else "data" if base.startswith("data_source_") else None
    if m is None or kind is None:
        return None
    names = []
    for attr in _FRAMEWORK_ATTR.finditer(text):
        body = text[attr.end(): go.closing(text, attr.end() - 1)]
        if re.search(r"^\s*Sensitive:\s*true,", body, re.M):
            names.append(attr.group(1))
    return (kind, "google" + m.group(1), sorted(names)) if names else None


def build(files: dict[str, str]) -> tuple[dict, list[str]]:
    index = go.SourceIndex()
    for path, text in files.items():
        try:
            index.add_file(path, text)
        except (ValueError, IndexError) as exc:
            raise RulesBuildError(f"{path}: cannot scan: {exc}") from exc
    ev = Evaluator(index)
    resources: dict[str, dict] = {}
    sensitive: dict[str, dict[str, list[str]]] = {"resource": {}, "data": {}, "ephemeral": {}, "provider": {}}
    unparsed = []
    for package, name, kind, expr in index.registrations:
        if kind.endswith("DataSource"):
            entries = _data_source_schema(ev, package, expr)
            attrs: dict[str, dict] = {}
            if entries:
                collect(ev, entries, "", attrs)
            names = sorted(p for p, r in attrs.items() if r.get("sensitive"))
            if names:
                sensitive["data"][name] = names
            continue
        if not kind.endswith("Resource"):
            continue
        resource = ev.resource(expr, package)
        entries = ev.schema_map(resource["fields"]["Schema"], resource["package"], resource["env"]) \
            if resource and "Schema" in resource["fields"] else None
        if entries is None:
            unparsed.append(name)
            continue
        attrs = {}
        collect(ev, entries, "", attrs)
        entry: dict[str, Any] = {"file": index.files[name], "attributes": attrs}
        guards = delete_guards(ev, resource)  # type: ignore[arg-type]
        if guards:
            entry["delete_guards"] = guards
        policy = re.search(r'DefaultProviderDeletionPolicy\("(\w+)"\)', resource["fields"].get("CustomizeDiff", ""))  # type: ignore[index]
        if policy:
            entry["deletion_policy_default"] = policy.group(1)
        names = sorted(p for p, r in attrs.items() if r.get("sensitive"))
        if names:
            sensitive["resource"][name] = names
        resources[name] = entry
    for path, text in files.items():
        found = framework_sensitive(path, text)
        if found:
            sensitive[found[0]][found[1]] = found[2]
    provider = ev.resource("Provider()", "google/provider")
    if provider and "Schema" in provider["fields"]:
        entries = ev.schema_map(provider["fields"]["Schema"], "google/provider", {})
        attrs = {}
        collect(ev, entries or {}, "", attrs)
        sensitive["provider"]["google"] = sorted(p for p, r in attrs.items() if r.get("sensitive"))
    return {"resources": dict(sorted(resources.items())), "sensitive": sensitive}, sorted(unparsed)


def _data_source_schema(ev: Evaluator, package: str, expr: str) -> dict | None:
    """A data source's schema; most copy a resource's with `DatasourceSchemaFromResourceSchema`."""
    called = go.call(expr)
    func = ev.index.func(package, called[0]) if called else None
    m = re.search(r"DatasourceSchemaFromResourceSchema\((.+?)\.Schema\)", func.body) if func else None
    if m and func:
        return ev.schema_map(m.group(1) + ".Schema", func.package, {})
    resource = ev.resource(expr, package)
    if resource is None or "Schema" not in resource["fields"]:
        return None
    return ev.schema_map(resource["fields"]["Schema"], resource["package"], resource["env"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pvctl.offline.rules_build", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True,
                        help="local git checkout or bare mirror of hashicorp/terraform-provider-google")
    parser.add_argument("--rev", default="HEAD", help="commit or tag to read (default HEAD)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        files, commit = source_files(args.source, args.rev)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"rules_build: cannot read {args.source} at {args.rev}: {exc}", file=sys.stderr)
        return 1
    body, unparsed = build(files)
    # Each type's rules as a JSON string: a provider process parses only the types it meets.
    resources = {name: json.dumps(entry, sort_keys=True, separators=(",", ":"))
                 for name, entry in body["resources"].items()}
    document = {
        "source": {"repository": REPOSITORY, "commit": commit,
                   "provider_version": provider_version(args.source, commit),
                   "license": LICENSE,
                   "attribution": "Derived from the schema declarations of hashicorp/terraform-provider-google "
                                  f"({REPOSITORY}, MPL-2.0); values are the provider's, the format is pvctl's."},
        "unparsed_resources": unparsed,
        "resources": resources,
        "sensitive": body["sensitive"],
    }
    data = encode(document)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes): {len(body['resources'])} resource types from {commit[:12]}, "
          f"{len(unparsed)} not parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
