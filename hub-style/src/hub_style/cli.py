"""``hubcore run style_transfer_26``: options only; torch and the network are imported when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import echo_results, use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="style_transfer_26")
@click.option(
    "--input_path", "input_paths", multiple=True, type=click.Path(dir_okay=False),
    help="A photo; repeat the option for several.",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file of photo paths, one a line (read one photo at a time).",
)  # fmt: skip
@click.option("--style", type=int, default=None, help="One of the 26 styles, 0 to 25 (default 0).")
@click.option("--blend", default=None, metavar="I:W,...", help="A blend of styles, e.g. 3:0.5,19:0.5.")
@click.option("--output_dir", default="transfer_result", show_default=True, help="Where the PNGs go.")
@click.option(
    "--max_side", type=int, default=1024, show_default=True, help="Shrink larger photos to this longer side."
)
@use_gpu_option()
def command(
    input_paths: tuple[str, ...],
    input_file: Path | None,
    style: int | None,
    blend: str | None,
    output_dir: str,
    max_side: int,
    use_gpu: bool,
) -> None:
    """Paint photos in one of 26 styles or a blend; exits 1 after the others if any photo failed."""
    from hub_style.styles import StyleError, parse_blend, style_weights
    from hubcore.streaming import path_batches

    if not input_paths and input_file is None:
        raise click.UsageError("give at least one --input_path or an --input_file")
    # style_transfer takes no batch_size (each photo has its own size): one photo per call keeps
    # the memory that of one photo, however long the list file.
    batches = path_batches(input_paths, input_file, 1)  # a bad list file fails here, first

    if style is not None and blend is not None:
        raise StyleError("give --style or --blend, not both")
    chosen: object = parse_blend(blend) if blend is not None else (0 if style is None else style)
    style_weights(chosen, "--style")  # a bad index fails here, before torch is imported
    resolve_device(use_gpu, owner="hubcore run style_transfer_26")  # no CUDA: say so before loading anything

    from hub_style.module import StyleTransfer26

    module = StyleTransfer26()
    used_names: set[str] = set()  # PNG names stay those of one call across the per-photo calls
    results = (
        result
        for paths in batches
        for result in module.style_transfer(
            paths=paths,
            style=chosen,
            output_dir=output_dir,
            visualization=True,
            max_side=max_side,
            use_gpu=use_gpu,
            used_names=used_names,
        )
    )
    echo_results(results, "text", _echo_saved)


def _echo_saved(result: dict[str, Any]) -> None:
    height, width = result["data"].shape[:2]
    click.echo(f"{result['path']} -> {result['save_path']} ({width} x {height})")
