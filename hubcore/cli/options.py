"""Options every ``hubcore run NAME`` command shares with PaddleHub's ``hub run``.

PaddleHub's modules parsed ``--use_gpu True`` (a Python literal); a flag reads better.
Both work: ``--use_gpu``, ``--use_gpu True``, ``--use_gpu false``.  Importing this
module imports click only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
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


def echo_results(
    results: Iterable[dict[str, Any]], output_format: str, echo_text: Callable[[dict[str, Any]], None]
) -> None:
    """Print each good result as it comes, then every per-item error; exit 1 if there was one.

    A result carrying an ``"error"`` key is an input the module refused (PaddleHub's per-item
    errors); the others are printed with ``echo_text``, or as one JSON array streamed item by
    item when ``output_format`` is ``"json"``, so memory stays that of one batch.
    """
    from hubcore.streaming import json_array_chunks

    errors: list[str] = []

    def good() -> Iterator[dict[str, Any]]:
        for result in results:
            if "error" in result:
                errors.append(result["error"])
            else:
                yield result

    if output_format == "json":
        for chunk in json_array_chunks(good()):
            click.echo(chunk, nl=False)
        click.echo()
    else:
        for result in good():
            echo_text(result)
    for message in errors:
        click.echo(f"Error: {message}", err=True)
    if errors:
        sys.exit(1)
