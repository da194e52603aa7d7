"""Human output: rich consoles, the `error:` line, and live progress around Terraform runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table

# rich already turns colour off when the stream is not a terminal or NO_COLOR is set.
_out: Console | None = None
_err: Console | None = None
# Piped or in a CI log there is no terminal width to fit: rich would fold tables and sentences at
# 80 columns. Lines as long as their content instead (COLUMNS, when set, still decides).
_UNBOUNDED_WIDTH = 1000
_INDENT = 4


class _Settings:
    verbose = False  # -v/--verbose: Terraform's own output streamed as it runs


settings = _Settings()
_banners: set[str] = set()  # shown on the current stderr


def _console(file: TextIO) -> Console:
    from rich.console import Console  # on first output: `pvctl COMMAND --help` sets `settings` and prints no rich text

    console = Console(file=file, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = _UNBOUNDED_WIDTH
    return console


def out() -> Console:
    global _out
    if _out is None or _out.file is not sys.stdout:
        _out = _console(sys.stdout)
    return _out


def err() -> Console:
    global _err
    if _err is None or _err.file is not sys.stderr:
        _err = _console(sys.stderr)
        _banners.clear()
    return _err


def error(line: str) -> None:
    err().print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)


def warning(line: str) -> None:
    err().print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True)


def note(line: str) -> None:
    err().print(f"[cyan]note:[/] {escape(line)}", soft_wrap=True)


def banner(line: str) -> None:
    """A one-line notice about the whole run (the offline mode): once, however many phases it plans."""
    console = err()
    if line not in _banners:
        _banners.add(line)
        console.print(f"[bold yellow]{escape(line)}[/]", soft_wrap=True)


class Fitted:
    """A table, or its rows as plain lines when it cannot fit the width without breaking a word.

    Table cells hold identifiers (resource addresses, types, SKUs) a reader copies: folded inside a
    narrow column they are no longer whole. Rich measures a table's minimum width as its longest
    words plus padding and borders; below that width each row becomes one record of text instead
    (cells two spaces apart, or `record`'s text for that row), wrapped at spaces only.
    """

    def __init__(self, table: Table, record: Callable[[list[str]], str] | None = None) -> None:
        self.table = table
        self.record = record or (lambda cells: "  ".join(c for c in cells if c))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.measure import Measurement
        from rich.text import Text

        # Measured unbounded: rich clamps a measurement (and each column's) to the width it is given.
        if Measurement.get(console, options.update_width(_UNBOUNDED_WIDTH * 100), self.table).minimum <= options.max_width:
            yield self.table
            return
        columns = [[c.plain if isinstance(c, Text) else console.render_str(str(c)).plain for c in col.cells]
                   for col in self.table.columns]
        for heading in (self.table.title, self.table.caption):
            if heading:
                yield Text(str(heading))
        for row in zip(*columns, strict=True):
            for line in _wrap(self.record(list(row)), options.max_width):
                yield Text(line, no_wrap=True, overflow="ignore")


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` broken at spaces only, continuations indented to show where a
    record starts; a word wider than that stays whole on a longer line (printed with crop=False)."""
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent=" " * _INDENT, break_long_words=False, break_on_hyphens=False) or [""]


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


@contextmanager
def progress(title: str, to_stderr: bool) -> Iterator[Callable[[str], None]]:
    """Yield a sink for Terraform's output lines while a step runs.

    On a terminal: a spinner on stderr, lines printed above it. Elsewhere: one
    plain `pvctl: <title>` line, then the lines as they come. With to_stderr (the
    --json modes) nothing but the final document reaches stdout.
    """
    console = err()
    lines_to = console if to_stderr else out()
    if console.is_terminal:
        with console.status(escape(title)):
            # Same terminal: go through the spinner's console so lines don't tear it.
            target = console if (to_stderr or lines_to.is_terminal) else None

            def sink(line: str) -> None:
                if target is not None:
                    target.print(line, markup=False, highlight=False, soft_wrap=True)
                else:
                    lines_to.file.write(line + "\n")
                    lines_to.file.flush()

            yield sink
        return
    console.print(f"pvctl: {escape(title)}", soft_wrap=True)

    def plain(line: str) -> None:
        lines_to.file.write(line + "\n")
        lines_to.file.flush()

    yield plain
