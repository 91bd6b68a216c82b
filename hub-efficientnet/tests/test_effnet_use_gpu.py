"""PaddleHub's ``use_gpu`` and ``batch_size`` on classification (images, video clips) and the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


def test_use_gpu_false_and_batch_size_equal_the_default(lite0: Any, photos: Path) -> None:
    paths = [photos / "chelsea.png", photos / "coffee.png", photos / "rocket.jpg"]
    default = lite0.classification(paths=paths, top_k=3)
    assert lite0.classification(paths=paths, use_gpu=False, top_k=3) == default
    batched = lite0.classification(paths=paths, batch_size=2, use_gpu=False, top_k=3)
    for one, two in zip(default, batched, strict=True):  # batching moves only the 6th decimal
        assert list(one) == list(two) and max(abs(one[k] - two[k]) for k in one) <= 2e-6


def test_the_device_path_gives_the_cpu_logits(lite0: Any, photos: Path) -> None:
    """What use_gpu=True runs (a copy of the folded network, the whole batch at once), on "cpu:0"."""
    from hub_efficientnet.preprocess import to_tensor
    from PIL import Image

    images = [Image.open(photos / name).convert("RGB") for name in ("chelsea.png", "coffee.png")]
    batch = to_tensor(images, lite0.resolution)
    on_device = lite0.network_logits(batch, "cpu:0")
    assert lite0._net_on("cpu:0") is not lite0.inference_net()
    torch.testing.assert_close(on_device, lite0.network_logits(batch), atol=1e-4, rtol=1e-4)


def test_use_gpu_without_cuda_fails_before_any_work(lite0: Any, photos: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    calls: list[Any] = []
    monkeypatch.setattr(lite0, "logits", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"efficientnet_lite0\.classification: use_gpu=True"):
        lite0.classification(paths=[photos / "chelsea.png"], use_gpu=True)
    with pytest.raises(hubcore.HubcoreError, match="use_gpu must be True or False"):
        lite0.classification(paths=[photos / "chelsea.png"], use_gpu="True")
    assert calls == []


@pytest.mark.parametrize(
    "args",
    [
        ["run", "efficientnet_lite0", "--input_path", "PHOTO"],
        ["run", "video_classifier", "--directory", "CKPT", "--input_path", "PHOTO"],
    ],
)
def test_use_gpu_on_the_command_lines(hub_home: Path, photos: Path, tmp_path: Path, args: list[str]) -> None:
    args = [
        str(photos / "chelsea.png") if a == "PHOTO" else str(tmp_path) if a == "CKPT" else a for a in args
    ]
    runner = CliRunner()
    asked = runner.invoke(build_cli(), [*args, "--use_gpu", "--batch_size", "2"])
    if not torch.cuda.is_available():
        assert asked.exit_code != 0 and "Traceback" not in asked.output
        assert asked.output.strip().splitlines() == [asked.output.strip()]
        assert f"hubcore run {args[1]}: use_gpu=True" in asked.output
    if args[1] == "efficientnet_lite0":
        plain = runner.invoke(build_cli(), args)
        off = runner.invoke(build_cli(), [*args, "--use_gpu", "false"])
        assert plain.exit_code == 0 and off.exit_code == 0 and off.output == plain.output
