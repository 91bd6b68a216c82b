"""PaddleHub's ``use_gpu`` on object_detection and ``hubcore run yolov3``: CUDA, or a one-line error first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


def test_use_gpu_false_is_the_cpu_and_true_without_cuda_fails_first(
    tiny_detector: Any, scene: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tiny_detector.object_detection(images=[scene], score_thresh=0.05, visualization=False)
    on_cpu = tiny_detector.object_detection(
        images=[scene], batch_size=1, use_gpu=False, score_thresh=0.05, visualization=False
    )
    assert on_cpu == default and default[0]["data"]  # the same detections, some found
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    monkeypatch.setattr(tiny_detector, "predict_batch", lambda *a: pytest.fail("worked before failing"))
    with pytest.raises(DeviceUnavailableError, match=r"yolov3_tiny\.object_detection: use_gpu=True"):
        tiny_detector.object_detection(images=[scene], use_gpu=True)


def test_the_command_accepts_use_gpu(
    tiny_weights: Path, scene: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = tmp_path / "scene.png"
    Image.fromarray(scene).save(picture)

    def run(*extra: str) -> Any:
        args = ["run", "yolov3_tiny", "--weights", str(tiny_weights), "--input_size", "128"]
        return CliRunner().invoke(build_cli(), [*args, "--input_path", str(picture), *extra])

    plain = run("--score_thresh", "0.05")
    assert plain.exit_code == 0, plain.output
    assert run("--score_thresh", "0.05", "--use_gpu", "False", "--batch_size", "2").output == plain.output
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    asked = run("--use_gpu")
    assert asked.exit_code != 0 and "Traceback" not in asked.output
    assert "hubcore run yolov3_tiny: use_gpu=True" in asked.output
