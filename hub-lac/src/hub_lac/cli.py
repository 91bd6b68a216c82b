"""``hubcore run lac``: the options are declared here; the model is imported only when it runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hubcore import HubcoreError
from hubcore.cli.options import use_gpu_option
from hubcore.devices import resolve_device


def _read_lines(path: Path) -> list[str]:
    """The file's lines as texts; a byte sequence that is not UTF-8 is reported with its line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HubcoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    texts = []
    for number, line in enumerate(lines, start=1):
        try:
            texts.append(
                line.decode("utf-8").rstrip("\r").lstrip("\ufeff")
                if number == 1
                else line.decode("utf-8").rstrip("\r")
            )
        except UnicodeDecodeError as exc:
            raise HubcoreError(
                f"{path}, line {number}: not valid UTF-8 (byte {exc.start + 1} of the line)"
            ) from None
    return texts


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
def command(
    input_text: str | None,
    input_file: Path | None,
    mode: str,
    user_dict: Path | None,
    batch_size: int,
    use_gpu: bool,
    return_tag: bool,
    output: str,
) -> None:
    """Chinese lexical analysis with Baidu's LAC (segmentation, POS/entity tags, word rank)."""
    if (input_text is None) == (input_file is None):
        raise click.UsageError("give exactly one of --input_text and --input_file")
    resolve_device(use_gpu, owner="hubcore run lac")  # no CUDA: say so before loading anything
    texts = [input_text] if input_text is not None else _read_lines(input_file)  # type: ignore[arg-type]
    from hub_lac.module import LAC

    lac = LAC(mode=mode, user_dict=user_dict)
    results = lac.lexical_analysis(texts=texts, use_gpu=use_gpu, batch_size=batch_size, return_tag=return_tag)
    if output == "json":
        click.echo(json.dumps(results, ensure_ascii=False))
    else:
        for item in results:
            click.echo(_as_text(item))
