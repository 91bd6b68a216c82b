"""``hubcore run chinese_ocr``: options only; torch, cv2 and the networks load when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hubcore.cli.options import echo_results, use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="chinese_ocr")
@click.option(
    "--input_path", "input_paths", multiple=True, type=click.Path(dir_okay=False),
    help="An image file; repeat the option for several images.",
)  # fmt: skip
@click.option(
    "--input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file of image paths, one a line (read one image at a time).",
)  # fmt: skip
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--visualization/--no-visualization", default=False, show_default=True, help="Save pictures.")
@click.option("--output_dir", default="ocr_result", show_default=True, help="Where pictures go.")
@click.option("--box_thresh", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
@click.option("--text_thresh", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
@click.option(
    "--angle_classification/--no-angle_classification", default=True, show_default=True,
    help="Turn lines the direction classifier finds upside down.",
)  # fmt: skip
@use_gpu_option()
def command(
    input_paths: tuple[str, ...],
    input_file: Path | None,
    output_format: str,
    visualization: bool,
    output_dir: str,
    box_thresh: float,
    text_thresh: float,
    angle_classification: bool,
    use_gpu: bool,
) -> None:
    """Find and read the text in images; exits 1 after printing the others if any image could not be used."""
    if not input_paths and input_file is None:
        raise click.UsageError("give at least one --input_path or an --input_file")
    from hubcore.streaming import path_batches

    # recognize_text takes no batch_size (it reads images one by one): one image per call keeps
    # the memory that of one image, however long the list file.
    batches = path_batches(input_paths, input_file, 1)  # a bad list file fails here, first
    resolve_device(use_gpu, owner="hubcore run chinese_ocr")  # no CUDA: say so before loading anything
    from hub_ocr.module import ChineseOCR

    ocr = ChineseOCR()
    used_names: set[str] = set()  # picture names stay those of one call across the per-image calls
    results = (
        result
        for paths in batches
        for result in ocr.recognize_text(
            paths=paths,
            use_gpu=use_gpu,
            output_dir=output_dir,
            visualization=visualization,
            box_thresh=box_thresh,
            text_thresh=text_thresh,
            angle_classification=angle_classification,
            used_names=used_names,
        )
    )
    echo_results(results, output_format, _echo_lines)


def _echo_lines(result: dict[str, Any]) -> None:
    click.echo(f"{result['path']}: {len(result['data'])} line(s)")
    for line in result["data"]:
        click.echo(f"  {line['text']}\t{line['confidence']:.3f}\t{line['text_box_position']}")
    if result["save_path"]:
        click.echo(f"  saved {result['save_path']}")
