"""``hubcore run sentiment_zh`` and ``sentiment_zh_e5``: options here; the model loads only when run."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device

_CHUNK = 256  # lines of an --input_file read, classified and printed together


def _chunks(
    input_texts: tuple[str, ...], input_file: Path | None, progress: bool | None
) -> Iterator[list[str]]:
    """The --input_text values, then the file streamed (blank lines skipped), a chunk at a time."""
    if input_texts:
        yield list(input_texts)
    if input_file is not None:
        from hubcore.streaming import text_batches

        for lines in text_batches(input_file, _CHUNK, progress=progress):
            yield [line for line in lines if line.strip()]


def _as_text(row: dict[str, Any]) -> str:
    return (
        f"{row['sentiment_key']}\tpositive={row['positive_probs']:.4f}\t"
        f"negative={row['negative_probs']:.4f}\t{row['text']}"
    )


def make_command(name: str, load: Callable[[], Any]) -> click.Command:
    """The ``hubcore run NAME`` command over the model ``load()`` builds (a SentaClassifier)."""

    @click.command(name=name)
    @click.option(
        "--input_text", "input_texts", multiple=True, help="A text to classify; repeat for several."
    )
    @click.option(
        "--input_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A UTF-8 file with one text a line (blank lines are skipped), streamed at constant memory.",
    )
    @batch_size_option()
    @use_gpu_option()
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option(
        "--progress/--no-progress",
        default=None,
        help="A progress bar on stderr for --input_file [default: when stderr is a terminal].",
    )
    def command(
        input_texts: tuple[str, ...],
        input_file: Path | None,
        batch_size: int,
        use_gpu: bool,
        output: str,
        progress: bool | None,
    ) -> None:
        """Print each text's sentiment (positive/negative) and its probabilities.

        An --input_file is checked for UTF-8 first, then classified and printed a chunk at a time.
        """
        if not input_texts and input_file is None:
            raise click.UsageError("give at least one --input_text or an --input_file")
        resolve_device(use_gpu, owner=f"hubcore run {name}")  # no CUDA: say so before loading anything
        chunks = _chunks(input_texts, input_file, progress)
        first = next(chunks, [])  # the file is checked here, before the model loads
        model = load()
        opened = False
        for texts in itertools.chain([first], chunks):
            for row in (
                model.sentiment_classify(texts=texts, use_gpu=use_gpu, batch_size=batch_size) if texts else []
            ):
                if output == "json":
                    click.echo(("," if opened else "[") + json.dumps(row, ensure_ascii=False), nl=False)
                    opened = True
                else:
                    click.echo(_as_text(row))
        if output == "json":
            click.echo("]" if opened else "[]")

    return command


def _sentiment_zh() -> Any:
    from hub_senta.module import SentimentZh

    return SentimentZh()


def _sentiment_zh_e5() -> Any:
    try:
        from hub_senta.module_e5 import SentimentZhE5
    except ImportError as exc:  # the e5 extra is missing: say how to install it, in one line
        raise click.ClickException(str(exc)) from None
    return SentimentZhE5()


command = make_command("sentiment_zh", _sentiment_zh)
command_e5 = make_command("sentiment_zh_e5", _sentiment_zh_e5)
