"""Options every ``hubcore run NAME`` command shares with PaddleHub's ``hub run``.

PaddleHub's modules parsed ``--use_gpu True`` (a Python literal); a flag reads better.
Both work: ``--use_gpu``, ``--use_gpu True``, ``--use_gpu false``.  Importing this
module imports click only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def use_gpu_option() -> Callable[[F], F]:
    """``--use_gpu [BOOLEAN]``: run on CUDA (an error, before any work, when there is none)."""
    return click.option(
        "--use_gpu",
        "use_gpu",
        type=click.BOOL,
        is_flag=False,
        flag_value=True,
        default=False,
        show_default=True,
        help="Run on CUDA; fails at once when torch sees no CUDA device (PaddleHub's --use_gpu True works).",
    )


def batch_size_option(default: int = 1, maximum: int | None = None) -> Callable[[F], F]:
    """``--batch_size N``: inputs processed together."""
    return click.option(
        "--batch_size",
        "batch_size",
        type=click.IntRange(min=1, max=maximum),
        default=default,
        show_default=True,
        help="Inputs processed together.",
    )
