"""Shared fixtures of the hub-yolov3 tests: small networks, weight files and images built here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # CI shares two cores between suites; one thread keeps timings predictable.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A YOLOv3-tiny COCO network with random weights, saved in Darknet format."""
    from hub_yolov3.darknet_weights import save_darknet_weights
    from hub_yolov3.model import TINY_ANCHORS, YoloConfig, YOLOv3
    from hub_yolov3.module import coco_labels

    torch.manual_seed(0)
    model = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, labels=coco_labels()))
    _randomise_batch_norm(model)
    return save_darknet_weights(model, tmp_path_factory.mktemp("weights") / "yolov3-tiny.weights", seen=1234)


def _randomise_batch_norm(model: torch.nn.Module) -> None:
    """Non-trivial running statistics, so that a loader mixing up BN fields would show."""
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.uniform_(-0.2, 0.2, generator=generator)
                module.running_mean.uniform_(-0.1, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)


@pytest.fixture(scope="session")
def randomise_batch_norm():  # type: ignore[no-untyped-def]
    return _randomise_batch_norm


@pytest.fixture(scope="session")
def tiny_detector(tiny_weights: Path):  # type: ignore[no-untyped-def]
    """The ``yolov3_tiny`` module on the random Darknet weights, at a small input size for speed."""
    import hubcore

    return hubcore.Module("yolov3_tiny", weights=str(tiny_weights), input_size=128)


@pytest.fixture()
def scene() -> np.ndarray:
    """A 120 x 200 RGB picture with some structure."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (120, 200, 3), dtype=np.uint8)
    image[20:80, 30:90] = (250, 30, 30)
    return image


@pytest.fixture()
def scene_png(tmp_path: Path, scene: np.ndarray) -> Path:
    path = tmp_path / "scene.png"
    Image.fromarray(scene).save(path)
    return path


SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared``: the official tiny weights, Darknet's cfg files and Darknet's golden outputs."""
    assert (SHARED / "yolo-golden" / "tiny-coco-darknet.jsonl").is_file(), (
        f"no reference material at {SHARED}"
    )
    return SHARED


@pytest.fixture(scope="session")
def official_tiny(shared_dir: Path):  # type: ignore[no-untyped-def]
    """YOLOv3-tiny with the official COCO weights from ``../shared``."""
    from hub_yolov3.module import YOLOv3TinyDetector

    return YOLOv3TinyDetector(weights=shared_dir / "yolov3-tiny" / "yolov3-tiny.weights")
