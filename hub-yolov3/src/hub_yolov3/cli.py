"""``hubcore run yolov3``: options only; torch and the model are imported when the command runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import echo_results, use_gpu_option
from hubcore.devices import resolve_device

# OpenMP threads that spin while they wait lose badly on a CPU shared with other work (one
# descheduled thread stalls every layer: 8x slower at batch 1 on a busy 2-core machine);
# this must be set before torch loads OpenMP, so here, for `hubcore run yolov3`.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _detector_for(
    ctx: click.Context, directory: str | None, weights: str | None, input_size: int | None
) -> object:
    from hub_yolov3.module import YOLOv3Detector, YOLOv3TinyDetector

    name = ctx.info_name or "yolov3"
    factory = YOLOv3TinyDetector if name.replace("-", "_").startswith("yolov3_tiny") else YOLOv3Detector
    return factory(directory=directory, weights=weights, input_size=input_size)


@click.command(name="yolov3")
@click.option(
    "--input_path", "input_paths", multiple=True, type=click.Path(dir_okay=False),
    help="An image file; repeat the option for several images.",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file of image paths, one a line (read in batches).",
)  # fmt: skip
@click.option("--score_thresh", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
@click.option("--output_dir", default="detection_result", show_default=True, help="Where pictures go.")
@click.option("--visualization/--no-visualization", default=False, show_default=True, help="Save pictures.")
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--directory", type=click.Path(file_okay=False), help="A checkpoint folder of our own training."
)
@click.option("--weights", type=click.Path(dir_okay=False), help="A Darknet .weights or .safetensors file.")
@click.option("--input_size", type=click.IntRange(64, 1024), help="Network input side (320, 416, 608...).")
@click.option("--batch_size", type=click.IntRange(1, 256), default=1, show_default=True)
@use_gpu_option()
@click.pass_context
def command(
    ctx: click.Context,
    input_paths: tuple[str, ...],
    input_file: Path | None,
    score_thresh: float,
    output_dir: str,
    visualization: bool,
    output_format: str,
    directory: str | None,
    weights: str | None,
    input_size: int | None,
    batch_size: int,
    use_gpu: bool,
) -> None:
    """Detect objects in images; exits 1 after printing the others if any image could not be used."""
    if input_size is not None and input_size % 32:
        raise click.BadParameter(f"{input_size} is not a multiple of 32", param_hint="--input_size")
    if not input_paths and input_file is None:
        raise click.UsageError("give at least one --input_path or an --input_file")
    from hubcore.streaming import path_batches

    batches = path_batches(input_paths, input_file, batch_size)  # a bad list file fails here, first
    resolve_device(use_gpu, owner=f"hubcore run {ctx.info_name}")  # no CUDA: say so before loading anything
    detector = _detector_for(ctx, directory, weights, input_size)
    used_names: set[str] = set()  # picture names stay those of one call across the batches
    results = (
        result
        for paths in batches
        for result in detector.object_detection(  # type: ignore[attr-defined]
            paths=paths,
            batch_size=batch_size,
            use_gpu=use_gpu,
            score_thresh=score_thresh,
            visualization=visualization,
            output_dir=output_dir,
            used_names=used_names,
        )
    )
    echo_results(results, output_format, _echo_detections)


def _echo_detections(result: dict[str, Any]) -> None:
    click.echo(f"{result['path']}: {len(result['data'])} object(s)")
    for det in result["data"]:
        click.echo(
            f"  {det['label']}\t{det['confidence']:.3f}\t"
            f"({det['left']:.1f}, {det['top']:.1f}, {det['right']:.1f}, {det['bottom']:.1f})"
        )
    if result["save_path"]:
        click.echo(f"  saved {result['save_path']}")
