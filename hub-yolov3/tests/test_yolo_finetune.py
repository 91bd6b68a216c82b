"""DetectionTask learns to find shapes: a small, real version of the demo.

YOLOv3-tiny at a quarter of its width, 96 px inputs, two classes, trained from scratch for a
minute of CPU on the Fine-tune API's loop; then the best model finds shapes in new pictures,
through `hubcore run yolov3 --directory` and through load_task().
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

SIZE, WIDTH, CLASSES = 96, 0.25, ("circle", "square")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    import torch
    from hub_yolov3.demo import train
    from hub_yolov3.shapes import generate

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("finetune")
    data = generate(
        root / "shapes",
        splits={"train": 240, "val": 40, "test": 60},
        size=SIZE,
        classes=CLASSES,
        max_objects=2,
    )
    summary = train(
        data, root / "ckpt", size=SIZE, width=WIDTH, epochs=30, eval_interval=150, learning_rate=4e-3
    )
    return root / "ckpt", summary


def _iou(a: list[float], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return w * h / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h)


def test_training_reaches_a_real_map(trained: tuple[Path, dict[str, Any]]) -> None:
    ckpt, summary = trained
    # Chance is near zero: a box must land within IoU 0.5 of a shape with the right class.
    assert summary["test"]["map"] > 0.5, summary["test"]
    assert summary["best_metric"] == max(h["map"] for h in summary["history"])
    assert (ckpt / "best_model" / "task.json").is_file()
    events = [json.loads(line) for line in (ckpt / "metrics.jsonl").read_text().splitlines()]
    maps = [e["map"] for e in events if e["event"] == "eval" and "map" in e]
    assert len(maps) >= 3 and maps[-1] > maps[0]


def test_hubcore_run_detects_shapes_in_new_pictures(
    trained: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from click.testing import CliRunner
    from hub_yolov3.shapes import render

    from hubcore.cli import build_cli

    rng = random.Random(2024)
    truths, args = (
        {},
        ["run", "yolov3", "--directory", str(trained[0]), "--output", "json", "--score_thresh", "0.3"],
    )
    for n in range(8):
        image, objects = render(rng, SIZE, CLASSES, max_objects=1)
        path = tmp_path / f"new_{n}.png"
        image.save(path)
        truths[str(path)] = objects[0]
        args += ["--input_path", str(path)]
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 0, result.output
    found = 0
    for item in json.loads(result.stdout):
        label, box = truths[item["path"]]
        if item["data"]:
            best = item["data"][0]
            edges = [best["left"], best["top"], best["right"], best["bottom"]]
            found += best["label"] == label and _iou(edges, box) > 0.5
    assert found >= 5, result.stdout  # of 8 unseen pictures, top detection right in class and place


def test_load_task_predicts_like_the_module(trained: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    from hub_yolov3.shapes import render
    from PIL import Image

    import hubcore
    from hubcore.finetune import load_task

    image, _ = render(random.Random(7), SIZE, CLASSES, max_objects=1)
    path = tmp_path / "one.png"
    image.save(path)
    task = load_task(trained[0])
    predicted = [d for d in task.predict([str(path)])[0] if d["confidence"] > 0.3]
    module = hubcore.Module("yolov3", directory=trained[0])
    assert module.labels == CLASSES and module.input_size == SIZE
    detected = module.object_detection(
        images=[np.asarray(Image.open(path))], score_thresh=0.3, visualization=False
    )
    assert [d["label"] for d in predicted] == [d["label"] for d in detected[0]["data"]]
    for p, q in zip(predicted, detected[0]["data"], strict=True):
        assert p["confidence"] == pytest.approx(q["confidence"], abs=1e-4)
        assert p["left"] == pytest.approx(q["left"], abs=0.05)
