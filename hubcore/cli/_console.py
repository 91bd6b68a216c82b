"""Output helpers shared by the commands; rich is imported only when a table is drawn."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hubcore._patterns import CONTROL as _CONTROL



def print_json(data: Any) -> None:
    """Write indented JSON that keeps non-ASCII text readable."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Draw a rich table; empty cells show as blanks rather than ``None``.

    Cells are plain text: no rich markup is interpreted and control characters are
    dropped, since they may come from a remote index or a plugin's metadata.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_CONTROL.sub("", "" if cell is None else str(cell))) for cell in row))
    Console().print(table)


def human_size(count: int) -> str:
    """A byte count as people read it: ``512 B``, ``68.4 KiB``, ``1.2 GiB``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"
