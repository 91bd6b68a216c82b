"""``hubcore run sentiment_zh``: the options are declared here; the model is imported only when it runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hubcore import HubcoreError


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HubcoreError(f"{path}: not valid UTF-8 (byte {exc.start + 1} of the file)") from None
    except OSError as exc:
        raise HubcoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    return [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]


@click.command(name="sentiment_zh")
@click.option("--input_text", "input_texts", multiple=True, help="A text to classify; repeat for several.")
@click.option(
    "--input_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A UTF-8 file with one text a line (blank lines are skipped).",
)
@click.option("--batch_size", type=click.IntRange(1), default=1, show_default=True)
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(input_texts: tuple[str, ...], input_file: Path | None, batch_size: int, output: str) -> None:
    """Print each text's sentiment (positive/negative) and its probabilities."""
    texts = list(input_texts)
    if input_file is not None:
        texts.extend(_read_lines(input_file))
    if not texts:
        raise click.UsageError("give at least one --input_text or an --input_file")
    from hub_senta.module import SentimentZh

    results = SentimentZh().sentiment_classify(texts=texts, batch_size=batch_size)
    if output == "json":
        click.echo(json.dumps(results, ensure_ascii=False))
        return
    for row in results:
        click.echo(
            f"{row['sentiment_key']}\tpositive={row['positive_probs']:.4f}\t"
            f"negative={row['negative_probs']:.4f}\t{row['text']}"
        )
