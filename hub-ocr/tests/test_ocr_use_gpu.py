"""PaddleHub's ``use_gpu`` on recognize_text and ``hubcore run chinese_ocr --use_gpu``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from ocr_samples import FIXTURES

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


def test_use_gpu_false_equals_the_default(ocr: Any, page_bgr: np.ndarray) -> None:
    default = ocr.recognize_text(images=[page_bgr])
    assert default[0]["data"]  # the page has text, so the comparison means something
    assert ocr.recognize_text(images=[page_bgr], use_gpu=False) == default
    assert ocr.pipeline.device == "cpu"


def test_the_device_path_reads_the_same_lines(ocr: Any, page_bgr: np.ndarray) -> None:
    """What use_gpu=True runs (networks moved, inputs sent, outputs brought back), on "cpu:0"."""
    on_cpu = ocr.pipeline(page_bgr)
    try:
        assert ocr.pipeline.to("cpu:0").device == "cpu:0"
        on_device = ocr.pipeline(page_bgr)
    finally:
        ocr.pipeline.to("cpu")
    assert on_cpu and [(line.text, line.confidence) for line in on_device] == [
        (line.text, line.confidence) for line in on_cpu
    ]
    assert all(np.array_equal(a.box, b.box) for a, b in zip(on_device, on_cpu, strict=True))


def test_use_gpu_without_cuda_fails_before_any_work(ocr: Any, page_bgr: np.ndarray, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    calls: list[Any] = []
    monkeypatch.setattr(ocr.pipeline, "to", lambda device: calls.append(device))
    monkeypatch.setattr(ocr, "_load", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"chinese_ocr\.recognize_text: use_gpu=True"):
        ocr.recognize_text(images=[page_bgr], use_gpu=True)
    with pytest.raises(HubcoreError, match="use_gpu must be True or False"):
        ocr.recognize_text(images=[page_bgr], use_gpu=1)
    assert calls == []


def test_use_gpu_on_the_command_line() -> None:
    runner = CliRunner()
    page = str(FIXTURES / "page.png")
    plain = runner.invoke(build_cli(), ["run", "chinese_ocr", "--input_path", page])
    off = runner.invoke(build_cli(), ["run", "chinese_ocr", "--input_path", page, "--use_gpu", "false"])
    assert plain.exit_code == 0 and off.exit_code == 0 and off.output == plain.output
    asked = runner.invoke(build_cli(), ["run", "chinese_ocr", "--input_path", page, "--use_gpu"])
    if torch.cuda.is_available():
        assert asked.exit_code == 0 and asked.output == plain.output
    else:
        assert asked.exit_code != 0 and "Traceback" not in asked.output
        assert asked.output.strip().splitlines() == [asked.output.strip()]
        assert "hubcore run chinese_ocr: use_gpu=True" in asked.output
