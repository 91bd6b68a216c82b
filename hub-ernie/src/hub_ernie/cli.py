"""``hubcore run ernie ...``: sentence embeddings from the shell; the model is imported only when run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import use_gpu_option
from hubcore.devices import resolve_device


def make_command(module_name: str) -> click.Command:
    """The ``hubcore run MODULE`` command of one module name."""

    @click.command(name=module_name)
    @click.option(
        "--input_text",
        "input_texts",
        multiple=True,
        help="A text to embed, or a pair as TEXT_A<TAB>TEXT_B; repeat for several.",
    )
    @click.option(
        "--input_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A UTF-8 file with one text (or TAB-separated pair) a line.",
    )
    @click.option("--max_seq_len", type=click.IntRange(3, 4096), default=128, show_default=True)
    @click.option("--batch_size", type=click.IntRange(1), default=32, show_default=True)
    @use_gpu_option()
    @click.option(
        "--directory",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A local checkpoint folder (config.json, vocab.txt, weights) instead of the download.",
    )
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--tokens", is_flag=True, help="Also print each token's embedding (JSON only).")
    def command(
        input_texts: tuple[str, ...],
        input_file: Path | None,
        max_seq_len: int,
        batch_size: int,
        use_gpu: bool,
        directory: Path | None,
        output: str,
        tokens: bool,
    ) -> None:
        """Print the sentence embedding of each input text."""
        items = [_split_pair(text) for text in input_texts]
        if input_file is not None:
            items.extend(_read_lines(input_file))
        if not items:
            raise click.UsageError("give at least one --input_text or an --input_file")
        if tokens and output != "json":
            raise click.UsageError("--tokens needs --output json")
        device = resolve_device(use_gpu, owner=f"hubcore run {module_name}")  # before loading anything
        from hub_ernie.module import TextEncoderModule

        module = TextEncoderModule(module_name, directory=directory, device=device)
        embeddings = module.get_embedding(items, max_seq_len=max_seq_len, batch_size=batch_size)
        _print_embeddings(items, embeddings, output, tokens)

    return command


def make_e5_command() -> click.Command:
    """``hubcore run multilingual-e5-small``: e5 embeddings, with its query:/passage: prefix."""

    @click.command(name="multilingual-e5-small")
    @click.option("--input_text", "input_texts", multiple=True, help="A text to embed; repeat for several.")
    @click.option(
        "--input_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A UTF-8 file with one text a line.",
    )
    @click.option(
        "--prefix",
        type=click.Choice(["query", "passage", "none"]),
        default="query",
        show_default=True,
        help="e5's prefix: query for queries and symmetric tasks, passage for documents.",
    )
    @click.option("--max_seq_len", type=click.IntRange(3, 512), default=512, show_default=True)
    @click.option("--batch_size", type=click.IntRange(1), default=32, show_default=True)
    @use_gpu_option()
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--tokens", is_flag=True, help="Also print each token's embedding (JSON only).")
    def command(
        input_texts: tuple[str, ...],
        input_file: Path | None,
        prefix: str,
        max_seq_len: int,
        batch_size: int,
        use_gpu: bool,
        output: str,
        tokens: bool,
    ) -> None:
        """Print the unit-length e5 sentence embedding of each input text."""
        items = [[text] for text in input_texts]
        if input_file is not None:
            items.extend(_read_lines(input_file))
        if not items:
            raise click.UsageError("give at least one --input_text or an --input_file")
        if any(len(item) != 1 for item in items):
            raise click.UsageError("multilingual-e5-small embeds single texts; a line has a TAB")
        if tokens and output != "json":
            raise click.UsageError("--tokens needs --output json")
        device = resolve_device(use_gpu, owner="hubcore run multilingual-e5-small")  # before loading anything
        from hub_ernie.e5 import E5Module

        module = E5Module(device=device)
        embeddings = module.get_embedding(
            items, max_seq_len=max_seq_len, batch_size=batch_size, prefix=prefix
        )
        _print_embeddings(items, embeddings, output, tokens)

    return command


def _print_embeddings(items: list[list[str]], embeddings: list[list[Any]], output: str, tokens: bool) -> None:
    if output == "json":
        rows = []
        for item, (sentence, token_vectors) in zip(items, embeddings, strict=True):
            row: dict[str, object] = {"text": item[0]}
            if len(item) == 2:
                row["text_b"] = item[1]
            row["sentence_embedding"] = [round(float(v), 6) for v in sentence]
            if tokens:
                row["token_embeddings"] = [[round(float(v), 6) for v in vec] for vec in token_vectors]
            rows.append(row)
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for item, (sentence, _) in zip(items, embeddings, strict=True):
        click.echo("\t".join(item))
        click.echo(" ".join(f"{float(v):.6f}" for v in sentence))


def _split_pair(text: str) -> list[str]:
    return text.split("\t") if "\t" in text else [text]


def _read_lines(path: Path) -> list[list[str]]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path} is not UTF-8 ({exc.reason})", param_hint="--input_file") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) > 2:
            raise click.BadParameter(
                f"{path}, line {number}: {len(parts)} TAB-separated fields; give a text or a pair",
                param_hint="--input_file",
            )
        items.append(parts)
    return items


# One command per module, named as hub_ernie.plugin.attribute_name() spells it.
ernie = make_command("ernie")
ernie_3_0_base_zh = make_command("ernie-3.0-base-zh")
ernie_3_0_medium_zh = make_command("ernie-3.0-medium-zh")
ernie_3_0_mini_zh = make_command("ernie-3.0-mini-zh")
ernie_3_0_micro_zh = make_command("ernie-3.0-micro-zh")
ernie_3_0_nano_zh = make_command("ernie-3.0-nano-zh")
bert_base_chinese = make_command("bert-base-chinese")
all_minilm_l6_v2 = make_command("all-minilm-l6-v2")
multilingual_e5_small = make_e5_command()
