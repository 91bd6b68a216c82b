"""The Darknet weights reader and writer: sizes, header, round trip and mismatches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hub_yolov3.darknet_weights import (
    DarknetWeightsError,
    expected_size,
    load_darknet_weights,
    save_darknet_weights,
)
from hub_yolov3.model import COCO_ANCHORS, TINY_ANCHORS, YoloConfig, YOLOv3


def test_sizes_match_the_published_weight_files() -> None:
    # yolov3.weights is 248,007,048 bytes and yolov3-tiny.weights 35,434,956: a layer missing,
    # doubled or with the wrong shape would change these counts.
    assert expected_size(YOLOv3(YoloConfig(arch="darknet53", anchors=COCO_ANCHORS))) == 248_007_048
    assert expected_size(YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS))) == 35_434_956


@pytest.mark.parametrize(
    ("arch", "anchors", "width", "size"),
    [("tiny", TINY_ANCHORS, 1.0, 128), ("darknet53", COCO_ANCHORS, 0.25, 96)],
)
def test_round_trip_gives_identical_outputs(
    tmp_path: Path, randomise_batch_norm, arch: str, anchors: tuple, width: float, size: int
) -> None:
    torch.manual_seed(0)
    source = YOLOv3(YoloConfig(arch=arch, anchors=anchors, width=width, num_classes=5)).eval()
    randomise_batch_norm(source)
    path = save_darknet_weights(source, tmp_path / "model.weights", seen=987654321)
    assert path.stat().st_size == expected_size(source)
    assert not [p for p in tmp_path.iterdir() if p.name != "model.weights"]  # no temporary left behind

    torch.manual_seed(1)
    target = YOLOv3(YoloConfig(arch=arch, anchors=anchors, width=width, num_classes=5)).eval()
    x = torch.rand(2, 3, size, size)
    with torch.no_grad():
        before = target(x)
        header = load_darknet_weights(target, path)
        expected, actual = source(x), target(x)
    assert header == {"major": 0, "minor": 2, "revision": 0, "seen": 987654321}
    assert not torch.equal(before[0], expected[0])  # the target really started different
    for a, b in zip(expected, actual, strict=True):
        assert torch.equal(a, b)
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items(), strict=True):
        if "num_batches_tracked" not in name:
            assert torch.equal(a, b), name


def test_file_layout_is_darknet_order(tmp_path: Path) -> None:
    """The first values after the header are the first conv's BN beta, gamma, mean, var, then kernel."""
    model = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=1, width=0.5))
    first = model.conv_layers()[0]
    with torch.no_grad():
        first.bn.bias.fill_(1.0)
        first.bn.weight.fill_(2.0)
        first.bn.running_mean.fill_(3.0)
        first.bn.running_var.fill_(4.0)
        first.conv.weight.copy_(
            torch.arange(first.conv.weight.numel(), dtype=torch.float32).view_as(first.conv.weight)
        )
    path = save_darknet_weights(model, tmp_path / "m.weights")
    raw = path.read_bytes()
    assert np.frombuffer(raw, np.int32, 3).tolist() == [0, 2, 0]
    values = np.frombuffer(raw, np.float32, offset=20)
    n = first.conv.out_channels
    assert values[:n].tolist() == [1.0] * n
    assert values[n : 2 * n].tolist() == [2.0] * n
    assert values[2 * n : 3 * n].tolist() == [3.0] * n
    assert values[3 * n : 4 * n].tolist() == [4.0] * n
    kernel = first.conv.weight.numel()
    assert values[4 * n : 4 * n + kernel].tolist() == list(range(kernel))
    # The last layer is a prediction conv: bias then kernel, no batch norm.
    last = model.conv_layers()[-1]
    assert last.bn is None
    tail = values[-(last.conv.bias.numel() + last.conv.weight.numel()) :]
    assert np.array_equal(tail[: last.conv.bias.numel()], last.conv.bias.detach().numpy())


def test_old_header_with_32_bit_seen_is_read(tmp_path: Path) -> None:
    model = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=1, width=0.25))
    modern = save_darknet_weights(model, tmp_path / "m.weights").read_bytes()
    old = np.array([0, 1, 0, 77], np.int32).tobytes() + modern[20:]
    (tmp_path / "old.weights").write_bytes(old)
    other = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=1, width=0.25))
    assert load_darknet_weights(other, tmp_path / "old.weights")["seen"] == 77
    assert torch.equal(other.conv_layers()[-1].conv.weight, model.conv_layers()[-1].conv.weight)


def test_weights_of_another_architecture_are_refused(tmp_path: Path) -> None:
    tiny = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=80, width=0.25))
    path = save_darknet_weights(tiny, tmp_path / "tiny.weights")
    other = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=3, width=0.25))
    with pytest.raises(
        DarknetWeightsError, match=r"tiny.weights: holds \d+ values but this tiny network with 3 classes"
    ):
        load_darknet_weights(other, path)
    (tmp_path / "short.weights").write_bytes(b"\0" * 10)
    with pytest.raises(DarknetWeightsError, match="too short"):
        load_darknet_weights(other, tmp_path / "short.weights")


def test_module_loads_darknet_weights(tiny_weights: Path, scene: np.ndarray) -> None:
    from hub_yolov3.module import coco_labels

    import hubcore

    a = hubcore.Module("yolov3_tiny", weights=str(tiny_weights), input_size=128)
    b = hubcore.Module("yolov3-tiny", weights=tiny_weights, input_size=128)  # the alias
    assert a.labels == coco_labels() and len(a.labels) == 80 and a.labels[0] == "person"
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        assert all(torch.equal(p, q) for p, q in zip(a.model(x), b.model(x), strict=True))
    wrong = tiny_weights.parent / "not-yolo.weights"
    wrong.write_bytes(tiny_weights.read_bytes()[:-4])
    with pytest.raises(hubcore.HubcoreError, match=r"not-yolo\.weights"):
        hubcore.Module("yolov3_tiny", weights=wrong)
