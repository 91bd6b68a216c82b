"""``hubcore run video_classifier --directory CKPT --input_path clip.mp4``: heavy imports run-time only."""

from __future__ import annotations

import json
import sys

import click

from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="video_classifier")
@click.option(
    "--directory", required=True, type=click.Path(file_okay=False),
    help="The checkpoint_dir of a video_classification fine-tuning run.",
)  # fmt: skip
@click.option(
    "--input_path", "input_paths", multiple=True, required=True, type=click.Path(dir_okay=False),
    help="A video file; repeat the option for several clips.",
)  # fmt: skip
@click.option("--top_k", type=click.IntRange(1, 1000), default=1, show_default=True)
@batch_size_option()
@use_gpu_option()
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def command(
    directory: str,
    input_paths: tuple[str, ...],
    top_k: int,
    batch_size: int,
    use_gpu: bool,
    output_format: str,
) -> None:
    """Classify video clips with a fine-tuned video classifier; exits 1 if a clip was unusable."""
    resolve_device(use_gpu, owner="hubcore run video_classifier")  # no CUDA: say so before loading anything
    from hub_efficientnet.video_module import VideoClassifier

    results = VideoClassifier(directory=directory).classification(
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
