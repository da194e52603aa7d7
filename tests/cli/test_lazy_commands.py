"""pvctl's root group builds each command only when it is used: the surface stays the one Typer builds eagerly."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.core import TyperCommand
from typer.main import get_command
from typer.testing import CliRunner

from pvctl.app import PvctlGroup, app, registry
from pvctl.commands.lazy import LazyCommands, LazyGroup, space_wrapped


class _EagerGroup(PvctlGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        space_wrapped(self)  # the help formatter the lazy group gives what it builds


def _eager() -> typer.Typer:
    """pvctl with every command registered on the app itself, so Typer builds them all up front (as it used to)."""
    eager = copy.copy(app)
    eager.info = copy.copy(app.info)
    eager.info.cls = _EagerGroup
    eager.registered_commands = list(registry.registered_commands)
    eager.registered_groups = list(registry.registered_groups)
    return eager


def _paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group, as the words that invoke it."""
    found = []
    for name in group.list_commands(None):
        command = group.commands[name]
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found.extend(_paths(command, (*prefix, name)))
    return found


def _run(target: typer.Typer, args: list[str], width: int, **env: str) -> tuple[int, str]:
    done = CliRunner().invoke(target, args, prog_name="pvctl", env={"COLUMNS": str(width), "NO_COLOR": "1", **env})
    return done.exit_code, done.output


USAGE = [
    [], ["--help"], ["--version"], ["plna"], ["bogus"], ["bogus", "--json"], ["--json", "plna"], ["plan", "--bogus"],
    ["plan", "--bogus", "--json"], ["plan", "--phase"], ["secrets"], ["secrets", "sett"], ["db", "restore-tst"],
    ["deploy", "--canary", "200", "--json"], ["secrets", "set", "--json"],
]
# What a shell asks while the user types (words so far, the one being completed).
COMPLETIONS = ["", "p", "s", "secrets ", "secrets r", "plan --", "plan --phase ", "deploy --max", "db ", "prices "]


@pytest.mark.parametrize("width", [60, 200])
def test_help_errors_and_completion_are_those_of_the_eagerly_built_cli(width: int) -> None:
    eager = _eager()
    every_help = [[*path, "--help"] for path in _paths(get_command(eager))]
    assert len(every_help) > 20 and ["secrets", "set", "--help"] in every_help
    for args in USAGE + every_help:
        assert _run(app, args, width) == _run(eager, args, width), args
    for typed in COMPLETIONS:
        words = f"pvctl {typed}"
        for env in ({"_PVCTL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)},
                    {"_PVCTL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": words}):
            lazy = _run(app, [], width, **env)
            assert lazy == _run(eager, [], width, **env), typed
            assert lazy[0] == 0 and lazy[1].strip(), typed


def test_every_command_resolves_and_is_listed_as_built() -> None:
    lazy, eager = get_command(app), get_command(_eager())
    assert isinstance(lazy.commands, LazyCommands)
    assert lazy.list_commands(None) == eager.list_commands(None)
    for name in lazy.list_commands(None):
        outline = lazy.commands.outline(name)  # what the listing shows, before the command is built
        built, reference = lazy.get_command(None, name), eager.get_command(None, name)
        assert built is not None and reference is not None and outline is not None
        assert (built.name, type(built)) == (name, type(reference))
        assert [p.name for p in built.params] == [p.name for p in reference.params]
        assert outline.hidden == built.hidden and outline.deprecated == built.deprecated
        for limit in range(20, 130, 7):
            assert outline.get_short_help_str(limit) == built.get_short_help_str(limit), (name, limit)
        assert lazy.commands.outline(name) is built  # once built, the listing shows the command itself


def test_only_the_invoked_command_is_built() -> None:
    built: list[str] = []

    class Recorded(TyperCommand):
        def __init__(self, **attrs: Any) -> None:
            built.append(attrs["name"])
            super().__init__(**attrs)

    commands = typer.Typer()
    for name in ("first", "second"):
        commands.command(name, cls=Recorded, help=f"The {name} command.")(lambda: typer.echo("ran"))
    inner = typer.Typer(help="A group of its own.")
    inner.command("inner", cls=Recorded)(lambda: None)
    commands.add_typer(inner, name="group")

    class Group(LazyGroup):
        registry = commands

    cli = typer.Typer(cls=Group, rich_markup_mode=None)
    cli.callback()(lambda: None)
    listing = CliRunner().invoke(cli, ["--help"])
    assert listing.exit_code == 0 and built == []
    assert [line.split()[:2] for line in listing.output.splitlines() if line.startswith("  ") and "The " in line] == [
        ["first", "The"], ["second", "The"]]
    assert "A group of its own." in listing.output
    typo = CliRunner().invoke(cli, ["secnod"])
    assert typo.exit_code == 2 and "Did you mean 'second'?" in typo.output and built == []
    ran = CliRunner().invoke(cli, ["second"])
    assert ran.exit_code == 0 and ran.output == "ran\n" and built == ["second"]


@pytest.mark.parametrize(("args", "built", "reads_phases"), [
    (["--help"], 0, False),             # the listing: no command built, phases.toml not read
    (["plan", "--help"], 1, False),     # one command built
    (["deploy", "--help"], 1, True),    # its help names the [slo] defaults: read now, not at start-up
])
def test_a_run_builds_only_its_command_and_reads_no_file_at_start(args: list[str], built: int, reads_phases: bool) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['pvctl', *{args!r}]\n"
        "import pvctl.commands.lazy as lazy\n"
        "built = []\n"
        "for name in ('get_command_from_info', 'get_group_from_info'):\n"
        "    setattr(lazy, name, lambda info, _build=getattr(lazy, name), **kw: built.append(info) or _build(info, **kw))\n"
        "from pvctl.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('BUILT', len(built), 'MODULES', ' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: pvctl" in done.stdout and f"BUILT {built} " in done.stdout
    loaded = done.stdout.split("MODULES", 1)[1].split()
    assert ("pvctl.core.phases" in loaded) is reads_phases and ("tomllib" in loaded) is reads_phases
    assert [m for m in loaded if m in ("rich", "json")] == []


@pytest.mark.parametrize("width", [60, 80, 100])
def test_help_wraps_at_spaces_never_inside_a_hyphenated_word(width: int) -> None:
    every_help = [[*path, "--help"] for path in _paths(get_command(app))]
    broken = []
    for args in [["--help"], *every_help]:
        code, text = _run(app, args, width)
        assert code == 0, text
        lines = text.splitlines()
        broken += [(args, line, after) for line, after in zip(lines, lines[1:], strict=False)
                   if re.search(r"[A-Za-z]-$", line) and after.strip()[:1].isalnum()]
    assert broken == []
