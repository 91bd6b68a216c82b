"""What object_detection and `hubcore run yolov3` return and write."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

KEYS = {"label", "confidence", "left", "top", "right", "bottom"}


def test_result_format(tiny_detector, scene_png: Path, scene: np.ndarray, tmp_path: Path) -> None:
    out = tmp_path / "out"
    results = tiny_detector.object_detection(
        paths=[str(scene_png)], images=[scene], score_thresh=0.05, output_dir=str(out)
    )
    assert [set(r) for r in results] == [{"data", "save_path", "path"}, {"data", "save_path"}]
    assert results[0]["path"] == str(scene_png)
    for result in results:
        assert result["data"], "random weights at threshold 0.05 still find boxes"
        confidences = [d["confidence"] for d in result["data"]]
        assert confidences == sorted(confidences, reverse=True)
        for det in result["data"]:
            assert set(det) == KEYS
            assert det["label"] in tiny_detector.labels
            assert isinstance(det["confidence"], float) and 0.05 < det["confidence"] <= 1
            assert 0 <= det["left"] <= det["right"] <= 200 and 0 <= det["top"] <= det["bottom"] <= 120
        saved = Image.open(result["save_path"])
        assert saved.format == "JPEG" and saved.size == (200, 120)
    # The same picture as a file and as an array gives the same detections.
    assert results[0]["data"] == results[1]["data"]
    assert sorted(p.name for p in out.iterdir()) == ["image_numpy_0.jpg", "scene.jpg"]  # nothing half-written


def test_boxes_are_drawn(tiny_detector, scene: np.ndarray, tmp_path: Path) -> None:
    result = tiny_detector.object_detection(images=[scene], score_thresh=0.05, output_dir=str(tmp_path))[0]
    drawn = np.asarray(Image.open(result["save_path"]).convert("RGB"), dtype=np.int16)
    plain = tiny_detector.object_detection(images=[scene], score_thresh=1.0, output_dir=str(tmp_path / "p"))[
        0
    ]
    assert plain["data"] == []
    untouched = np.asarray(Image.open(plain["save_path"]).convert("RGB"), dtype=np.int16)
    det = result["data"][0]
    x, y = round(det["left"]), round((det["top"] + det["bottom"]) / 2)  # a point on the left edge
    x, y = min(max(x, 0), 199), min(max(y, 0), 119)
    assert np.abs(drawn[y, x] - untouched[y, x]).sum() > 60


def test_threshold_batch_size_and_no_visualisation(tiny_detector, scene: np.ndarray, tmp_path: Path) -> None:
    flipped = scene[:, ::-1].copy()
    one = tiny_detector.object_detection(images=[scene, flipped], score_thresh=0.05, visualization=False)
    two = tiny_detector.object_detection(
        images=[scene, flipped],
        batch_size=2,
        score_thresh=0.05,
        visualization=False,
        output_dir=str(tmp_path / "x"),
    )
    assert not (tmp_path / "x").exists()
    assert all(r["save_path"] is None for r in one + two)
    for a, b in zip(one, two, strict=True):
        assert [d["label"] for d in a["data"]] == [d["label"] for d in b["data"]]
        for p, q in zip(a["data"], b["data"], strict=True):
            assert p["confidence"] == pytest.approx(q["confidence"], abs=1e-4)
            assert p["left"] == pytest.approx(q["left"], abs=0.05)
    # A higher threshold keeps exactly the detections above it: greedy NMS in score order never
    # lets a weaker box change the fate of a stronger one.
    confidences = sorted({d["confidence"] for d in one[0]["data"]}, reverse=True)
    k = len(confidences) // 2
    middle = (confidences[k] + confidences[k + 1]) / 2  # between two stored values, clear of rounding
    strict = tiny_detector.object_detection(images=[scene], score_thresh=middle, visualization=False)[0][
        "data"
    ]
    assert 0 < len(strict) < len(one[0]["data"])
    assert strict == [d for d in one[0]["data"] if d["confidence"] > middle]


def test_same_file_names_do_not_overwrite(tiny_detector, scene: np.ndarray, tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        Image.fromarray(scene).save(tmp_path / sub / "pic.png")
    results = tiny_detector.object_detection(
        paths=[tmp_path / "a" / "pic.png", tmp_path / "b" / "pic.png"], output_dir=str(tmp_path / "out")
    )
    assert [Path(r["save_path"]).name for r in results] == ["pic.jpg", "pic_1.jpg"]


def test_argument_errors(tiny_detector) -> None:
    import hubcore

    with pytest.raises(hubcore.HubcoreError, match="needs paths"):
        tiny_detector.object_detection()
    with pytest.raises(hubcore.HubcoreError, match="score_thresh"):
        tiny_detector.object_detection(images=[np.zeros((4, 4, 3), np.uint8)], score_thresh=2)
    with pytest.raises(hubcore.HubcoreError, match="multiple of 32"):
        hubcore.Module("yolov3_tiny", pretrained=False, input_size=100)


def test_cli_json_output_and_own_checkpoint(tmp_path: Path, scene_png: Path) -> None:
    from click.testing import CliRunner
    from hub_yolov3.checkpoint import save_checkpoint
    from hub_yolov3.model import TINY_ANCHORS, YoloConfig, YOLOv3

    from hubcore.cli import build_cli

    torch.manual_seed(3)
    model = YOLOv3(
        YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=2, width=0.25, labels=("cat", "hat"))
    )
    save_checkpoint(model, tmp_path / "ckpt", input_size=96)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt", "scene.png"]  # no temporary folder left
    args = ["run", "yolov3", "--directory", str(tmp_path / "ckpt"), "--input_path", str(scene_png)]
    result = CliRunner().invoke(build_cli(), [*args, "--score_thresh", "0.05", "--output", "json"])
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert len(parsed) == 1 and parsed[0]["path"] == str(scene_png) and parsed[0]["save_path"] is None
    assert parsed[0]["data"] and {d["label"] for d in parsed[0]["data"]} <= {"cat", "hat"}
    out = tmp_path / "vis"
    result = CliRunner().invoke(build_cli(), [*args, "--visualization", "--output_dir", str(out)])
    assert result.exit_code == 0 and (out / "scene.jpg").is_file()
    missing = CliRunner().invoke(
        build_cli(), ["run", "yolov3", "--directory", str(tmp_path / "nope"), "--input_path", "x.png"]
    )
    assert missing.exit_code == 2
    assert "nope: no such checkpoint folder" in missing.output and "Traceback" not in missing.output


@pytest.mark.parametrize("size", [320, 416, 608])
def test_darknet53_at_each_input_size(size: int, scene: np.ndarray) -> None:
    import hubcore

    torch.manual_seed(0)
    detector = hubcore.Module("yolov3", pretrained=False, width=0.25, input_size=size)
    with torch.no_grad():
        heads = detector.model(torch.zeros(1, 3, size, size))
    assert [h.shape[-1] for h in heads] == [size // 8, size // 16, size // 32]
    assert all(h.shape[1] == 3 * 85 for h in heads)
    result = detector.object_detection(images=[scene], score_thresh=0.05, visualization=False)[0]
    assert result["data"] and all(0 <= d["right"] <= 200 for d in result["data"])
