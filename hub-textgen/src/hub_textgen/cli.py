"""``hubcore run textgen_lstm``: options only; torch and the model are imported when the command runs."""

from __future__ import annotations

import json
import sys

import click


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
    "--directory", type=click.Path(file_okay=False), help="A language_model fine-tuning run to use instead."
)
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def command(
    prefix: str,
    count: int,
    temperature: str,
    max_length: int,
    seed: int | None,
    scored: tuple[str, ...],
    directory: str | None,
    output_format: str,
) -> None:
    """Generate texts with textgenrnn's character LSTM, or score texts by perplexity."""
    heat = _temperatures(temperature)
    from hub_textgen.module import TextgenLSTM

    model = TextgenLSTM(directory=directory)
    if scored:
        results = model.perplexity(list(scored))
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
    texts = model.generate(prefix=prefix, n=count, temperature=heat, max_length=max_length, seed=seed)
    if output_format == "json":
        click.echo(json.dumps(texts, ensure_ascii=False, indent=2))
    else:
        for text in texts:
            click.echo(text)
