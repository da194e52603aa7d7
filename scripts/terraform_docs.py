"""Write the generated parts of the Terraform READMEs; `--check` fails when one is out of date.

Each README under modules/<name>/ and environments/ keeps its prose and holds its Inputs and
Outputs tables between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`, read from the
folder's variable and output blocks. environments/README.md also holds the phase figures between
`<!-- BEGIN_PHASES -->` and `<!-- END_PHASES -->`, read from environments/phases.toml, so no
figure in a README is typed by hand.

    python scripts/terraform_docs.py          # rewrite what changed
    python scripts/terraform_docs.py --check  # exit 1 and name the stale READMEs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[1]
TF_MARKERS = ("<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->")
PHASE_MARKERS = ("<!-- BEGIN_PHASES -->", "<!-- END_PHASES -->")


def _text(value: Any) -> str:
    """An HCL expression or string as python-hcl2 returns it, as Terraform source text."""
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{_key(k)} = {_text(v)}" for k, v in value.items() if not k.startswith("__")]
        return "{" + ", ".join(items) + "}" if items else "{}"
    return json.dumps(value)


def _key(key: str) -> str:
    return key.strip('"')


def _string(value: Any) -> str:
    """A quoted HCL string literal as its text."""
    text = _text(value)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _blocks(folder: Path, kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for tf in sorted(folder.glob("*.tf")):
        with tf.open(encoding="utf-8") as handle:
            for block in hcl2.load(handle).get(kind, []):
                for name, body in block.items():
                    found[_key(name)] = body
    return found


def interface(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(variables, outputs) of a Terraform folder, each name -> block attributes."""
    return _blocks(folder, "variable"), _blocks(folder, "output")


def tf_docs(folder: Path) -> str:
    variables, outputs = interface(folder)
    lines = ["## Inputs", "", "| name | type | default | description |", "|---|---|---|---|"]
    for name, body in variables.items():
        default = f"`{_cell(_text(body['default']))}`" if "default" in body else "required"
        flags = [f for f in ("sensitive", "ephemeral") if body.get(f) is True]
        description = _string(body.get("description", "")) + (f" ({', '.join(flags)})" if flags else "")
        lines.append(f"| `{name}` | `{_cell(_text(body.get('type', 'any')))}` | {default} | {_cell(description)} |")
    lines += ["", "## Outputs", "", "| name | description |", "|---|---|"]
    lines += [f"| `{name}` | {_cell(_string(body.get('description', '')))} |" for name, body in outputs.items()]
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def phase_docs(phases_toml: Path) -> str:
    """One column per phase, one row per table: the values Terraform receives (— = module off)."""
    from pvctl.core.phases import load_phases

    phases = load_phases(phases_toml)
    tables: list[str] = []
    for phase in phases.values():
        tables += [t for t in phase.tables if t not in tables]
    lines = ["| | " + " | ".join(f"`{n}`" for n in phases) + " |", "|---" * (len(phases) + 1) + "|"]
    lines.append("| order | " + " | ".join(str(p.order) for p in phases.values()) + " |")
    lines.append("| summary | " + " | ".join(_cell(p.summary) for p in phases.values()) + " |")
    for table in tables:
        cells = []
        for phase in phases.values():
            values = phase.tables.get(table)
            cells.append("—" if values is None else "<br>".join(_cell(f"{k} = {_value(v)}") for k, v in values.items()))
        lines.append(f"| `{table}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _replace(text: str, markers: tuple[str, str], body: str, where: Path) -> str:
    begin, end = markers
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{where}: no {begin} ... {end} markers; add them where the generated part goes")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text, count=1)


def targets(repo: Path) -> list[Path]:
    """Every folder whose README carries generated tables: the modules, then the composition."""
    return [*sorted(p for p in (repo / "modules").iterdir() if (p / "variables.tf").is_file()), repo / "environments"]


def render(repo: Path, folder: Path) -> str:
    readme = folder / "README.md"
    text = _replace(readme.read_text(encoding="utf-8"), TF_MARKERS, tf_docs(folder), readme)
    if folder == repo / "environments":
        text = _replace(text, PHASE_MARKERS, phase_docs(folder / "phases.toml"), readme)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a README is out of date")
    parser.add_argument("--repo", type=Path, default=REPO, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    stale = []
    for folder in targets(args.repo):
        readme = folder / "README.md"
        wanted = render(args.repo, folder)
        if readme.read_text(encoding="utf-8") != wanted:
            stale.append(readme.relative_to(args.repo))
            if not args.check:
                readme.write_text(wanted, encoding="utf-8")
    if stale and args.check:
        print("out of date: " + ", ".join(map(str, stale)) + "; run python scripts/terraform_docs.py", file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
