"""Output helpers shared by the commands; rich is imported only when a table is drawn."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hubcore._patterns import CONTROL as _CONTROL

# Columns of running text, where a very long word (a URL, a path) may be cut to fit.
PROSE_COLUMNS = frozenset({"summary", "error", "path", "value"})
_PROSE_WORD = 16


def print_json(data: Any) -> None:
    """Write indented JSON that keeps non-ASCII text readable."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Draw a rich table; empty cells show as blanks rather than ``None``.

    Cells are plain text: no rich markup is interpreted and control characters are
    dropped, since they may come from a remote index or a plugin's metadata.  No name is
    ever cut (a module, plugin or file name split over two lines cannot be copied): each
    column is at least as wide as its longest word (in ``PROSE_COLUMNS``, words past 16
    characters may fold), and when the terminal is too narrow for that, each row is
    printed as a block of ``column: value`` lines instead.
    """
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[_CONTROL.sub("", "" if cell is None else str(cell)) for cell in row] for row in rows]
    console = Console()
    widths = column_widths(
        [
            (
                max([cell_len(column), *(cell_len(line) for row in cells for line in row[i].splitlines())]),
                _longest_word(column, [row[i] for row in cells]),
            )
            for i, column in enumerate(columns)
        ],
        console.width - (3 * len(columns) + 1),  # a border and two spaces of padding per column
    )
    if widths is None:
        _print_records(console, title, columns, cells)
        return
    table = Table(title=title, show_lines=False)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(column, width=width, overflow="fold")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def _longest_word(column: str, texts: list[str]) -> int:
    from rich.cells import cell_len

    longest = max([cell_len(column), *(cell_len(word) for text in texts for word in text.split())])
    return min(longest, max(_PROSE_WORD, cell_len(column))) if column in PROSE_COLUMNS else longest


def column_widths(wanted: Sequence[tuple[int, int]], room: int) -> list[int] | None:
    """Content widths for columns that want (natural width, longest word) within ``room``.

    Every column gets at least its longest word, and the room left is shared in
    proportion to what each column still lacks; None when the longest words alone do
    not fit (the caller then prints no table).
    """
    widths = [word for _natural, word in wanted]
    if sum(widths) > room:
        return None
    lacking = [natural - word for natural, word in wanted]
    spare = room - sum(widths)
    if sum(lacking) <= spare:
        return [natural for natural, _word in wanted]
    total = sum(lacking)
    shares = [spare * lack // total for lack in lacking]
    for index in sorted(range(len(wanted)), key=lambda i: lacking[i] - shares[i], reverse=True):
        if sum(shares) == spare:
            break
        if shares[index] < lacking[index]:
            shares[index] += 1
    return [width + share for width, share in zip(widths, shares, strict=True)]


def _print_records(console: Any, title: str | None, columns: Sequence[str], cells: list[list[str]]) -> None:
    """Each row as ``column: value`` lines, a blank line between rows: for narrow terminals.

    Values wrap between words under their own start; a word is never cut.
    """
    import textwrap

    from rich.text import Text

    label = max(len(column) for column in columns)
    room = max(console.width - label - 2, 20)
    if title:
        console.print(Text(title, style="bold"))
    for number, row in enumerate(cells):
        if number or title:
            console.print()
        for column, cell in zip(columns, row, strict=True):
            lines = textwrap.wrap(cell, room, break_long_words=False, break_on_hyphens=False) or [""]
            text = f"\n{' ' * (label + 2)}".join(lines)
            console.print(Text(f"{column:>{label}}: {text}"), soft_wrap=True)


def human_size(count: int) -> str:
    """A byte count as people read it: ``512 B``, ``68.4 KiB``, ``1.2 GiB``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"
