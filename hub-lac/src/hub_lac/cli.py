"""``hubcore run lac``: the options are declared here; the model is imported only when it runs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import click

from hubcore.cli.options import use_gpu_option
from hubcore.devices import resolve_device

_CHUNK = 256  # texts read, analysed and printed together from an --input_file


def _as_text(item: dict[str, list[object]]) -> str:
    columns = [item["word"]] + [item[key] for key in ("tag", "rank") if key in item]
    return " ".join("/".join(str(value) for value in values) for values in zip(*columns, strict=True))


@click.command(name="lac")
@click.option("--input_text", "input_text", help="One text to analyse.")
@click.option(
    "--input_file",
    "input_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A UTF-8 file with one text a line.",
)
@click.option(
    "--mode",
    type=click.Choice(["lac", "seg", "rank"]),
    default="lac",
    show_default=True,
    help="lac: words and tags; seg: words only; rank: words, tags and importance.",
)
@click.option(
    "--user_dict",
    "user_dict",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A user dictionary that imposes segmentation and tags.",
)
@click.option(
    "--batch_size", type=click.IntRange(min=1), default=1, show_default=True, help="Texts analysed together."
)
@use_gpu_option()
@click.option(
    "--return_tag/--no-return_tag",
    "return_tag",
    default=True,
    show_default=True,
    help="Print tags with the words.",
)
@click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line of word/tag pairs per text; json: the list of result dicts.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar on stderr for --input_file [default: when stderr is a terminal].",
)
def command(
    input_text: str | None,
    input_file: Path | None,
    mode: str,
    user_dict: Path | None,
    batch_size: int,
    use_gpu: bool,
    return_tag: bool,
    output: str,
    progress: bool | None,
) -> None:
    """Chinese lexical analysis with Baidu's LAC (segmentation, POS/entity tags, word rank).

    An --input_file is streamed: checked for UTF-8 first, then analysed and printed a chunk at a
    time, so memory stays flat however big the file is.
    """
    if (input_text is None) == (input_file is None):
        raise click.UsageError("give exactly one of --input_text and --input_file")
    resolve_device(use_gpu, owner="hubcore run lac")  # no CUDA: say so before loading anything
    from hubcore.streaming import text_batches

    # Checked before the model loads, so a bad line fails fast and prints nothing else.
    chunks = (
        iter([[input_text]]) if input_file is None else text_batches(input_file, _CHUNK, progress=progress)
    )
    first = next(chunks, [])
    from hub_lac.module import LAC

    lac = LAC(mode=mode, user_dict=user_dict)
    opened = False
    for texts in itertools.chain([first], chunks):
        results = (
            lac.lexical_analysis(texts=texts, use_gpu=use_gpu, batch_size=batch_size, return_tag=return_tag)
            if texts
            else []
        )
        for item in results:
            if output == "json":
                click.echo(("," if opened else "[") + json.dumps(item, ensure_ascii=False), nl=False)
                opened = True
            else:
                click.echo(_as_text(item))
    if output == "json":
        click.echo("]" if opened else "[]")
