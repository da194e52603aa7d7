"""Just enough Go to read the google provider's schema literals: no type checking, no execution.

The provider declares each resource as nested composite literals (`&schema.Resource{...}`,
`map[string]*schema.Schema{...}`) built by plain functions and package variables. This module
finds brackets, strings and comments the way Go's scanner does, splits literals into their
top-level fields, and indexes the functions and variables of a source tree so the rules
builder (`rules_build`) can follow a call like `ResourceRedisInstance()` to its literal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_CLOSE = {"{": "}", "(": ")", "[": "]"}


def _skip_literal(text: str, i: int) -> int:
    """Index just past the string, rune or comment starting at `i`, or `i` when there is none."""
    c = text[i]
    if c == "/" and text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if c == "/" and text.startswith("/*", i):
        return text.index("*/", i + 2) + 2
    if c == "`":
        return text.index("`", i + 1) + 1
    if c in "\"'":
        j = i + 1
        while text[j] != c:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    return i


_INTERESTING = re.compile(r"[{}()\[\]\"'`/]")


def closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`."""
    stack = [_CLOSE[text[start]]]
    i = start + 1
    while True:
        m = _INTERESTING.search(text, i)
        if m is None:
            raise ValueError(f"unbalanced {text[start]!r} at offset {start}")
        i = m.start()
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c in _CLOSE:
            stack.append(_CLOSE[c])
        elif c != "/" and c == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1


def split_top(body: str, sep: str = ",") -> list[str]:
    """The pieces of `body` separated by `sep` outside brackets, strings and comments."""
    parts, depth, last, i = [], 0, 0, 0
    while i < len(body):
        j = _skip_literal(body, i)
        if j != i:
            i = j
            continue
        c = body[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(body[last:i])
            last = i + 1
        i += 1
    parts.append(body[last:])
    return [p for p in (strip_comments(p).strip() for p in parts) if p]


def strip_comments(text: str) -> str:
    out, last, i = [], 0, 0
    while i < len(text):
        j = _skip_literal(text, i)
        if j != i:
            if text[i] == "/":
                out.append(text[last:i])
                last = j
            i = j
        else:
            i += 1
    out.append(text[last:])
    return "".join(out)


def literal_body(expr: str) -> str | None:
    """The inside of the first `{...}` of a composite literal expression, if it is one."""
    expr = expr.strip()
    brace = expr.find("{")
    if brace < 0 or "(" in expr[:brace]:
        return None
    return expr[brace + 1: closing(expr, brace)]


def fields(body: str) -> dict[str, str]:
    """`Key: value` pairs of a struct literal body (keyed elements only)."""
    out = {}
    for part in split_top(body):
        key, sep, value = part.partition(":")
        if sep and re.fullmatch(r"[A-Za-z_]\w*", key.strip()):
            out[key.strip()] = value.strip()
    return out


def map_entries(body: str) -> dict[str, str]:
    """`"key": value` pairs of a map literal body."""
    out = {}
    for part in split_top(body):
        m = re.match(r'"((?:[^"\\]|\\.)*)"\s*:\s*', part)
        if m:
            out[m.group(1)] = part[m.end():]
    return out


def string_value(expr: str) -> str | None:
    """The value of a Go string literal (interpreted or raw), or None for anything else."""
    expr = expr.strip()
    if len(expr) >= 2 and expr[0] == expr[-1] == "`":
        return expr[1:-1]
    if len(expr) >= 2 and expr[0] == expr[-1] == '"':
        try:
            return json.loads(expr)
        except ValueError:
            return None
    return None


def string_list(expr: str) -> list[str] | None:
    """The values of a `[]string{"a", "b"}` literal."""
    body = literal_body(expr) if expr.strip().startswith("[]string") else None
    if body is None:
        return None
    values = [string_value(p) for p in split_top(body)]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


def call(expr: str) -> tuple[str, list[str]] | None:
    """(qualified name, argument expressions) of a call expression `pkg.F(a, b)`."""
    m = re.match(r"\s*([A-Za-z_][\w.]*)\s*\(", expr)
    if not m:
        return None
    open_at = m.end() - 1
    end = closing(expr, open_at)
    if expr[end + 1:].strip():
        return None
    return m.group(1), split_top(expr[open_at + 1:end])


@dataclass
class Func:
    package: str
    params: list[str]
    body: str


@dataclass
class SourceIndex:
    """Top-level functions and variables of every package, by (package directory, name)."""

    funcs: dict[tuple[str, str], Func] = field(default_factory=dict)
    variables: dict[tuple[str, str], str] = field(default_factory=dict)
    consts: dict[str, str] = field(default_factory=dict)
    registrations: list[tuple[str, str, str, str]] = field(default_factory=list)  # (package, name, type, expr)
    files: dict[str, str] = field(default_factory=dict)  # package-relative file of each registration name

    def add_file(self, path: str, text: str) -> None:
        package = path.rsplit("/", 1)[0]
        for m in re.finditer(r"^func (\w+)\(", text, re.M):
            open_at = m.end() - 1
            close = closing(text, open_at)
            brace = text.find("{", close)
            if brace < 0:
                continue
            names = [p.split()[0] for p in split_top(text[open_at + 1:close])]
            self.funcs[(package, m.group(1))] = Func(package, names, text[brace + 1: closing(text, brace)])
        for m in re.finditer(r"^var (\w+)\s*=\s*", text, re.M):
            self.variables[(package, m.group(1))] = expression_at(text, m.end())
        for block in re.finditer(r"^(?:var|const) \($", text, re.M):
            body = text[block.end(): closing(text, block.end() - 1)]
            for m in re.finditer(r"^\t(\w+)\s*=\s*", body, re.M):
                value = expression_at(body, m.end())
                self.variables[(package, m.group(1))] = value
                if string_value(value) is not None:
                    self.consts[m.group(1)] = string_value(value)  # type: ignore[assignment]
        for m in re.finditer(r"registry\.Schema\{", text):
            entry = fields(text[m.end(): closing(text, m.end() - 1)])
            name = string_value(entry.get("Name", ""))
            if name and "Schema" in entry:
                self.registrations.append((package, name, entry.get("Type", ""), entry["Schema"]))
                self.files[name] = path

    def func(self, package: str, qualified: str) -> Func | None:
        return self._lookup(self.funcs, package, qualified)

    def variable(self, package: str, qualified: str) -> str | None:
        return self._lookup(self.variables, package, qualified)

    @staticmethod
    def _lookup(table: dict[tuple[str, str], Any], package: str, qualified: str) -> Any:
        qualifier, _, name = qualified.rpartition(".")
        if not qualifier and (package, name) in table:
            return table[(package, name)]
        # A qualified name: the package whose directory ends with the qualifier.
        for (pkg, n), value in table.items():
            if n == name and (not qualifier or pkg.rsplit("/", 1)[-1] == qualifier):
                return value
        return None


def expression_at(text: str, start: int) -> str:
    """The expression starting at `start` and ending at the end of its line (brackets followed)."""
    i = start
    while i < len(text) and text[i] != "\n":
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        if text[i] in _CLOSE:
            i = closing(text, i) + 1
            continue
        i += 1
    return text[start:i].strip()


def returned(body: str) -> str | None:
    """The expression of the first `return` at the top level of a function body."""
    for m in re.finditer(r"^\treturn (.*)", body, re.M):
        return expression_at(body, m.start(1))
    return None
