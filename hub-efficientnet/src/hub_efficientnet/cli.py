"""``hubcore run efficientnet_lite0``: options only; torch and the model are imported when it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import batch_size_option, echo_results, use_gpu_option
from hubcore.devices import resolve_device


def _module_for(ctx: click.Context, weights: str | None) -> object:
    from hub_efficientnet.module import MODULE_CLASSES
    from hubcore._registry import get_registry

    name = get_registry().module(ctx.info_name or "efficientnet_lite0").name
    return MODULE_CLASSES[name](weights=weights)


@click.command(name="efficientnet_lite0")
@click.option(
    "--input_path", "input_paths", multiple=True, type=click.Path(dir_okay=False),
    help="An image file; repeat the option for several images.",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file of image paths, one a line (read in batches).",
)  # fmt: skip
@click.option(
    "--top_k", type=click.IntRange(1, 1000), default=1, show_default=True, help="Classes per image."
)
@batch_size_option(maximum=256)
@use_gpu_option()
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--weights", type=click.Path(dir_okay=False), help="A .safetensors file of this network.")
@click.pass_context
def command(
    ctx: click.Context,
    input_paths: tuple[str, ...],
    input_file: Path | None,
    top_k: int,
    batch_size: int,
    use_gpu: bool,
    output_format: str,
    weights: str | None,
) -> None:
    """Classify images into ImageNet's 1,000 classes; exits 1 after the others if an image was unusable."""
    batches = input_batches(input_paths, input_file, batch_size)  # a bad list file fails here, first
    resolve_device(use_gpu, owner=f"hubcore run {ctx.info_name}")  # no CUDA: say so before loading anything
    module = _module_for(ctx, weights)

    def classify(paths: list[str]) -> list[dict[str, Any]]:
        return module.classification(  # type: ignore[attr-defined,no-any-return]
            paths=paths, batch_size=batch_size, use_gpu=use_gpu, top_k=top_k
        )

    print_classified(classify, batches, output_format)


def input_batches(
    input_paths: tuple[str, ...], input_file: Path | None, batch_size: int
) -> Iterator[list[str]]:
    """The ``--input_path`` paths then the ``--input_file`` ones, in batches (a usage error if none)."""
    if not input_paths and input_file is None:
        raise click.UsageError("give at least one --input_path or an --input_file")
    from hubcore.streaming import path_batches

    return path_batches(input_paths, input_file, batch_size)


def print_classified(
    classify: Callable[[list[str]], list[dict[str, Any]]], batches: Iterable[list[str]], output_format: str
) -> None:
    """Classify batch by batch, print the good results, then the errors; exit 1 if there were any."""
    results = (
        result if "error" in result else {"path": path, "data": result}
        for paths in batches
        for path, result in zip(paths, classify(paths), strict=True)
    )
    echo_results(results, output_format, _echo_labels)


def _echo_labels(result: dict[str, Any]) -> None:
    click.echo(f"{result['path']}:")
    for label, probability in result["data"].items():
        click.echo(f"  {probability:.4f}\t{label}")
