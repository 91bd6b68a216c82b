"""``hubcore run style_transfer_26``: options only; torch and the network are imported when it runs."""

from __future__ import annotations

import sys

import click

from hubcore.cli.options import use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="style_transfer_26")
@click.option(
    "--input_path", "input_paths", multiple=True, required=True, type=click.Path(dir_okay=False),
    help="A photo; repeat the option for several.",
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
    style: int | None,
    blend: str | None,
    output_dir: str,
    max_side: int,
    use_gpu: bool,
) -> None:
    """Paint photos in one of 26 styles or a blend; exits 1 after the others if any photo failed."""
    from hub_style.styles import StyleError, parse_blend, style_weights

    if style is not None and blend is not None:
        raise StyleError("give --style or --blend, not both")
    chosen: object = parse_blend(blend) if blend is not None else (0 if style is None else style)
    style_weights(chosen, "--style")  # a bad index fails here, before torch is imported
    resolve_device(use_gpu, owner="hubcore run style_transfer_26")  # no CUDA: say so before loading anything

    from hub_style.module import StyleTransfer26

    results = StyleTransfer26().style_transfer(
        paths=list(input_paths),
        style=chosen,
        output_dir=output_dir,
        visualization=True,
        max_side=max_side,
        use_gpu=use_gpu,
    )
    for result in results:
        if "error" not in result:
            height, width = result["data"].shape[:2]
            click.echo(f"{result['path']} -> {result['save_path']} ({width} x {height})")
    failed = [r for r in results if "error" in r]
    for result in failed:
        click.echo(f"Error: {result['error']}", err=True)
    if failed:
        sys.exit(1)
