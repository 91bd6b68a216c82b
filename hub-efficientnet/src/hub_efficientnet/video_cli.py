"""``hubcore run video_classifier --directory CKPT --input_path clip.mp4``: heavy imports run-time only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hub_efficientnet.cli import input_batches, print_classified
from hubcore.cli.options import batch_size_option, use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="video_classifier")
@click.option(
    "--directory", required=True, type=click.Path(file_okay=False),
    help="The checkpoint_dir of a video_classification fine-tuning run.",
)  # fmt: skip
@click.option(
    "--input_path", "input_paths", multiple=True, type=click.Path(dir_okay=False),
    help="A video file; repeat the option for several clips.",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file of video paths, one a line (read in batches).",
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
    input_file: Path | None,
    top_k: int,
    batch_size: int,
    use_gpu: bool,
    output_format: str,
) -> None:
    """Classify video clips with a fine-tuned video classifier; exits 1 if a clip was unusable."""
    batches = input_batches(input_paths, input_file, batch_size)  # a bad list file fails here, first
    resolve_device(use_gpu, owner="hubcore run video_classifier")  # no CUDA: say so before loading anything
    from hub_efficientnet.video_module import VideoClassifier

    module = VideoClassifier(directory=directory)

    def classify(paths: list[str]) -> list[dict[str, Any]]:
        return module.classification(paths=paths, batch_size=batch_size, use_gpu=use_gpu, top_k=top_k)

    print_classified(classify, batches, output_format)
