"""PaddleHub's ``use_gpu`` on style_transfer and ``hubcore run style_transfer_26 --use_gpu``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


def _photo() -> np.ndarray:
    y, x = np.mgrid[0:48, 0:64]
    return np.stack([x * 4, y * 5, (x + y) * 2], axis=2).astype(np.uint8)


def test_use_gpu_false_equals_the_default(stylist: Any) -> None:
    default = stylist.style_transfer(images=[_photo()], style=3, visualization=False)
    again = stylist.style_transfer(images=[_photo()], style=3, visualization=False, use_gpu=False)
    assert default[0]["data"].std() > 0 and np.array_equal(again[0]["data"], default[0]["data"])


def test_the_device_path_matches_the_cpu_path(stylist: Any) -> None:
    """What use_gpu=True runs (a second copy of the network, plain torch ops), on the device "cpu:0"."""
    fast = stylist.stylize_float(_photo(), 3)
    on_device = stylist.stylize_float(_photo(), 3, device="cpu:0")
    assert stylist.network_on("cpu:0") is not stylist.network
    np.testing.assert_allclose(on_device, fast, atol=2e-4)


def test_use_gpu_without_cuda_fails_before_any_work(stylist: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    calls: list[Any] = []
    monkeypatch.setattr(stylist, "stylize_float", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"style_transfer_26\.style_transfer: use_gpu=True"):
        stylist.style_transfer(images=[_photo()], visualization=False, use_gpu=True)
    with pytest.raises(HubcoreError, match="use_gpu must be True or False"):
        stylist.style_transfer(images=[_photo()], visualization=False, use_gpu=None)
    assert calls == []


def test_use_gpu_on_the_command_line(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(photo)
    runner = CliRunner()
    args = ["run", "style_transfer_26", "--input_path", str(photo), "--style", "3"]
    off = runner.invoke(build_cli(), [*args, "--output_dir", str(tmp_path / "off"), "--use_gpu", "False"])
    plain = runner.invoke(build_cli(), [*args, "--output_dir", str(tmp_path / "plain")])
    assert off.exit_code == 0 and plain.exit_code == 0
    saved = [np.asarray(Image.open(next((tmp_path / name).glob("*.png")))) for name in ("off", "plain")]
    assert np.array_equal(saved[0], saved[1])
    asked = runner.invoke(build_cli(), [*args, "--output_dir", str(tmp_path / "gpu"), "--use_gpu"])
    if not torch.cuda.is_available():
        assert asked.exit_code != 0 and "Traceback" not in asked.output
        assert asked.output.strip().splitlines() == [asked.output.strip()]
        assert "hubcore run style_transfer_26: use_gpu=True" in asked.output
        assert not (tmp_path / "gpu").exists()
