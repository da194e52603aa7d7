"""A Typer group whose commands are built one at a time, when used.

Typer turns every registered command into a click command, all its parameters and their types,
before it parses a single argument: most of what `pvctl --help` spent beyond importing Typer.
`LazyGroup` keeps the registrations instead and builds only the command a run invokes; a listing
(the group's `--help`, shell completion of command names) needs just each command's name, help
and hidden flag, which an outline carries without parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer._click import Context, HelpFormatter
from typer.core import TyperCommand, TyperGroup
from typer.main import (
    get_command_from_info,
    get_command_name,
    get_group_from_info,
    solve_typer_info_defaults,
)
from typer.models import CommandInfo, TyperInfo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from typer._click import Command  # the click Typer bundles
    from typer._click.shell_completion import CompletionItem

# Click's help wrapper also breaks after hyphens, cutting option and file names (`--allow-` / `destroy`).
# Held as non-breaking hyphens while wrapping (one column each, like "-"), they are never a break point.
_HYPHEN, _HELD = "-", "\u2011"


def _held(text: str) -> str:
    return text.replace(_HYPHEN, _HELD)


class SpaceWrapFormatter(HelpFormatter):
    """Click's help formatter, wrapping at spaces only."""

    def write(self, string: str) -> None:
        super().write(string.replace(_HELD, _HYPHEN))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _held(args), prefix)

    def write_text(self, text: str) -> None:
        super().write_text(_held(text))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _held(text)) for term, text in rows], col_max, col_spacing)


class SpaceWrapContext(Context):
    formatter_class = SpaceWrapFormatter


def space_wrapped(command: Command) -> Command:
    """`command` and, for a group, every command under it, formatting help with SpaceWrapFormatter."""
    command.context_class = SpaceWrapContext
    for sub in getattr(command, "commands", {}).values():
        space_wrapped(sub)
    return command


class LazyCommands(MutableMapping[str, "Command"]):
    """The commands and groups registered on a Typer app, in registration order; each built on first access."""

    def __init__(self, registry: typer.Typer, build: Callable[[CommandInfo | TyperInfo], Command]) -> None:
        self._build = build
        self._infos: dict[str, CommandInfo | TyperInfo] = {}
        for command in registry.registered_commands:  # commands before groups, as Typer orders them
            assert command.callback is not None, "a command needs a callback"
            self._infos[command.name or get_command_name(command.callback.__name__)] = command
        for group in registry.registered_groups:
            name = solve_typer_info_defaults(group).name
            assert name, "a group added to a lazy group needs a name"
            self._infos[name] = group
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            self._built[name] = self._build(self._infos[name])
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._infos and name not in self._built:
            raise KeyError(name)
        self._infos.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._infos
        yield from (name for name in self._built if name not in self._infos)

    def __len__(self) -> int:
        return len(self._infos.keys() | self._built.keys())

    def outline(self, name: str) -> Command | None:
        """The command as a listing shows it (name, help, short help, hidden, deprecated), without its parameters."""
        if name in self._built or name not in self._infos:
            return self._built.get(name)
        info = self._infos[name]
        if isinstance(info, TyperInfo):
            group = solve_typer_info_defaults(info)
            return TyperCommand(name=name, help=group.help, short_help=group.short_help, hidden=group.hidden,
                                deprecated=group.deprecated)
        # The help Typer gives the built command (typer.main.get_command_from_info).
        text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
        return TyperCommand(name=name, help=text, short_help=info.short_help, hidden=info.hidden,
                            deprecated=info.deprecated)


class LazyGroup(TyperGroup):
    """A TyperGroup over the commands registered on `registry`, built when invoked, outlined when listed.

    Typer constructs the group itself (`typer.Typer(cls=...)`), so a subclass names its registry as a
    class attribute; whatever Typer built for the group's own app stays in it too.
    """

    registry: ClassVar[typer.Typer]
    context_class = SpaceWrapContext
    # Typer hands its app's setting to the commands it builds, never to the group: its default here.
    pretty_exceptions_short: ClassVar[bool] = True

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        eager = dict(self.commands)
        self.commands = LazyCommands(self.registry, self._build)
        self.commands.update(eager)
        self._listing = False

    def _build(self, info: CommandInfo | TyperInfo) -> Command:
        if isinstance(info, TyperInfo):
            return space_wrapped(get_group_from_info(info, pretty_exceptions_short=self.pretty_exceptions_short,
                                                      suggest_commands=self.suggest_commands,
                                                      rich_markup_mode=self.rich_markup_mode))
        return space_wrapped(get_command_from_info(info, pretty_exceptions_short=self.pretty_exceptions_short,
                                                    rich_markup_mode=self.rich_markup_mode))

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if self._listing:
            assert isinstance(self.commands, LazyCommands)
            return self.commands.outline(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # the names alone: TyperGroup's reads every value, i.e. builds every command

    @contextmanager
    def _outlines(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        with self._outlines():
            super().format_commands(ctx, formatter)

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        with self._outlines():
            return super().shell_complete(ctx, incomplete)
