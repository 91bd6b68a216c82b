"""``hubcore run efficientnet_lite0``: options only; torch and the model are imported when it runs."""

from __future__ import annotations

import json
import sys

import click

from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device


def _module_for(ctx: click.Context, weights: str | None) -> object:
    from hub_efficientnet.module import MODULE_CLASSES
    from hubcore._registry import get_registry

    name = get_registry().module(ctx.info_name or "efficientnet_lite0").name
    return MODULE_CLASSES[name](weights=weights)


@click.command(name="efficientnet_lite0")
@click.option(
    "--input_path", "input_paths", multiple=True, required=True, type=click.Path(dir_okay=False),
    help="An image file; repeat the option for several images.",
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
    top_k: int,
    batch_size: int,
    use_gpu: bool,
    output_format: str,
    weights: str | None,
) -> None:
    """Classify images into ImageNet's 1,000 classes; exits 1 after the others if an image was unusable."""
    resolve_device(use_gpu, owner=f"hubcore run {ctx.info_name}")  # no CUDA: say so before loading anything
    module = _module_for(ctx, weights)
    results = module.classification(  # type: ignore[attr-defined]
        paths=list(input_paths), batch_size=batch_size, use_gpu=use_gpu, top_k=top_k
    )
    good = [(path, r) for path, r in zip(input_paths, results, strict=True) if "error" not in r]
    if output_format == "json":
        click.echo(json.dumps([{"path": p, "data": r} for p, r in good], ensure_ascii=False, indent=2))
    else:
        for path, result in good:
            click.echo(f"{path}:")
            for label, probability in result.items():
                click.echo(f"  {probability:.4f}\t{label}")
    failed = [r["error"] for r in results if "error" in r]
    for message in failed:
        click.echo(f"Error: {message}", err=True)
    if failed:
        sys.exit(1)
