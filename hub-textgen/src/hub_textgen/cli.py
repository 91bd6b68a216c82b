"""``hubcore run textgen_lstm``: options only; torch and the model are imported when the command runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device

_CHUNK = 256  # lines of an --input_file read, processed and printed together


def _temperatures(value: str) -> float | list[float]:
    """``0.5`` or a comma-separated schedule ``1.0,0.5,0.2`` cycled character by character."""
    parts = [p.strip() for p in value.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a number or a comma-separated list of numbers", param_hint="--temperature"
        ) from None
    return numbers[0] if len(numbers) == 1 else numbers


@click.command(name="textgen_lstm")
@click.option("--prefix", default="", show_default=True, help="Text the generated texts start with.")
@click.option(
    "-n", "count", type=click.IntRange(1, 10_000), default=1, show_default=True, help="How many texts."
)
@click.option(
    "--temperature", default="0.5", show_default=True,
    help="0 = greedy; higher = more varied. A comma-separated list is cycled per character.",
)  # fmt: skip
@click.option("--max_length", type=click.IntRange(1, 100_000), default=300, show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**32 - 10_001), help="Makes the texts reproducible.")
@click.option(
    "--perplexity", "scored", multiple=True,
    help="Score this text instead of generating (repeat for several).",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(dir_okay=False, path_type=Path),
    help="A UTF-8 file, one prefix a line (with --score: a text to score), streamed; blank lines skipped.",
)  # fmt: skip
@click.option("--score", is_flag=True, help="Score the --input_file's lines by perplexity.")
@click.option(
    "--directory", type=click.Path(file_okay=False), help="A language_model fine-tuning run to use instead."
)
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@batch_size_option(default=512)
@use_gpu_option()
@click.option(
    "--progress/--no-progress", default=None,
    help="A progress bar on stderr for --input_file [default: when stderr is a terminal].",
)  # fmt: skip
def command(
    prefix: str,
    count: int,
    temperature: str,
    max_length: int,
    seed: int | None,
    scored: tuple[str, ...],
    input_file: Path | None,
    score: bool,
    directory: str | None,
    output_format: str,
    batch_size: int,
    use_gpu: bool,
    progress: bool | None,
) -> None:
    """Generate texts with textgenrnn's character LSTM, or score texts by perplexity.

    --batch_size: characters scored together, or texts generated together.
    """
    heat = _temperatures(temperature)
    if score and input_file is None:
        raise click.UsageError("--score reads the --input_file; give one")
    if input_file is not None and scored:
        raise click.UsageError("give --perplexity or --input_file, not both")
    resolve_device(use_gpu, owner="hubcore run textgen_lstm")  # no CUDA: say so before loading anything
    if input_file is not None:
        _stream_file(input_file, score, directory, output_format, batch_size, use_gpu, progress,
                     {"n": count, "temperature": heat, "max_length": max_length, "seed": seed})  # fmt: skip
        return
    from hub_textgen.module import TextgenLSTM

    model = TextgenLSTM(directory=directory)
    if scored:
        results = model.perplexity(list(scored), batch_size=batch_size, use_gpu=use_gpu)
        good = [r for r in results if "error" not in r]
        if output_format == "json":
            click.echo(json.dumps(good, ensure_ascii=False, indent=2))
        else:
            for result in good:
                click.echo(f"{result['perplexity']:.4f}\t{result['text']}")
        failed = [r for r in results if "error" in r]
        for result in failed:
            click.echo(f"Error: {result['error']}", err=True)
        if failed:
            sys.exit(1)
        return
    texts = model.generate(
        prefix=prefix, n=count, temperature=heat, max_length=max_length, seed=seed,
        use_gpu=use_gpu, batch_size=batch_size,
    )  # fmt: skip
    if output_format == "json":
        click.echo(json.dumps(texts, ensure_ascii=False, indent=2))
    else:
        for text in texts:
            click.echo(text)


def _stream_file(
    path: Path,
    score: bool,
    directory: str | None,
    output_format: str,
    batch_size: int,
    use_gpu: bool,
    progress: bool | None,
    generation: dict[str, Any],
) -> None:
    """Score, or continue, the file's non-blank lines a chunk at a time; exit 1 after all if any failed.

    JSON output is one list written as it goes: perplexity results, or ``{"prefix", "texts"}``.
    """
    import itertools

    from hubcore.streaming import text_batches

    chunks = (
        [line for line in lines if line.strip()] for lines in text_batches(path, _CHUNK, progress=progress)
    )
    first = next(chunks, [])  # the whole file is checked for UTF-8 here, before the model loads
    from hub_textgen.module import TextgenLSTM

    model = TextgenLSTM(directory=directory)
    opened, failed = False, False
    for lines in itertools.chain([first], chunks):
        if score:
            rows: list[Any] = model.perplexity(lines, batch_size=batch_size, use_gpu=use_gpu) if lines else []
        else:
            rows = [
                {"prefix": line, "texts": model.generate(prefix=line, use_gpu=use_gpu, batch_size=batch_size,
                                                         **generation)}
                for line in lines
            ]  # fmt: skip
        for row in rows:
            if "error" in row:
                click.echo(f"Error: {row['error']}", err=True)
                failed = True
            elif output_format == "json":
                click.echo(("," if opened else "[") + json.dumps(row, ensure_ascii=False), nl=False)
                opened = True
            elif score:
                click.echo(f"{row['perplexity']:.4f}\t{row['text']}")
            else:
                for text in row["texts"]:
                    click.echo(text)
    if output_format == "json":
        click.echo("]" if opened else "[]")
    if failed:
        sys.exit(1)
