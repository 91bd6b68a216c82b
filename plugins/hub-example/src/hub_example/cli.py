"""The options of ``hubcore run example``; the module is imported only when it runs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import click

from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="example")
@click.option("--input_text", "input_texts", multiple=True, help="A text to analyse; repeat for several.")
@click.option(
    "--input_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 file with one text a line (read in batches).",
)
@click.option("--lowercase", is_flag=True, help="Lowercase the text first.")
@batch_size_option()
@use_gpu_option()
def command(
    input_texts: tuple[str, ...], input_file: Path | None, lowercase: bool, batch_size: int, use_gpu: bool
) -> None:
    """Count the characters and words of each text; prints one JSON array."""
    from hubcore.streaming import batched, count_utf8_lines, json_array_chunks, text_batches

    if not input_texts and input_file is None:
        raise click.UsageError("give at least one --input_text or an --input_file")
    if input_file is not None:
        count_utf8_lines(input_file)  # a bad byte is reported before any output
    resolve_device(use_gpu, owner="hubcore run example")  # no CUDA: say so before loading anything
    from hub_example.module import Module

    module = Module(lowercase=lowercase)
    listed = text_batches(input_file, batch_size) if input_file is not None else iter(())

    def results() -> Iterator[dict[str, object]]:
        for texts in itertools.chain(batched(input_texts, batch_size), listed):
            yield from module.predict(texts, batch_size=batch_size, use_gpu=use_gpu)

    for chunk in json_array_chunks(results()):
        click.echo(chunk, nl=False)
    click.echo()
