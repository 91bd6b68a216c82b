"""``hubcore run chinese_ocr``: options only; torch, cv2 and the networks load when the command runs."""

from __future__ import annotations

import json
import sys

import click

from hubcore.cli.options import use_gpu_option
from hubcore.devices import resolve_device


@click.command(name="chinese_ocr")
@click.option(
    "--input_path", "input_paths", multiple=True, required=True, type=click.Path(dir_okay=False),
    help="An image file; repeat the option for several images.",
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
    output_format: str,
    visualization: bool,
    output_dir: str,
    box_thresh: float,
    text_thresh: float,
    angle_classification: bool,
    use_gpu: bool,
) -> None:
    """Find and read the text in images; exits 1 after printing the others if any image could not be used."""
    resolve_device(use_gpu, owner="hubcore run chinese_ocr")  # no CUDA: say so before loading anything
    from hub_ocr.module import ChineseOCR

    results = ChineseOCR().recognize_text(
        paths=list(input_paths),
        use_gpu=use_gpu,
        output_dir=output_dir,
        visualization=visualization,
        box_thresh=box_thresh,
        text_thresh=text_thresh,
        angle_classification=angle_classification,
    )
    good = [r for r in results if "error" not in r]
    if output_format == "json":
        click.echo(json.dumps(good, ensure_ascii=False, indent=2))
    else:
        for result in good:
            click.echo(f"{result['path']}: {len(result['data'])} line(s)")
            for line in result["data"]:
                click.echo(f"  {line['text']}\t{line['confidence']:.3f}\t{line['text_box_position']}")
            if result["save_path"]:
                click.echo(f"  saved {result['save_path']}")
    failed = [r for r in results if "error" in r]
    for result in failed:
        click.echo(f"Error: {result['error']}", err=True)
    if failed:
        sys.exit(1)
