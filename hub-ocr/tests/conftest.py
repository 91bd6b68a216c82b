"""Shared fixtures of the hub-ocr tests: the module, RapidOCR (the reference) and real images."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

# pytest runs with --import-mode=importlib: make the rendered-set helper (ocr_samples.py) importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocr_samples import FIXTURES


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # CI shares two cores between suites; one thread keeps timings predictable.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def ocr():  # type: ignore[no-untyped-def]
    """The ``chinese_ocr`` module, built once."""
    import hubcore

    return hubcore.Module("chinese_ocr")


@pytest.fixture(scope="session")
def pipeline(ocr):  # type: ignore[no-untyped-def]
    return ocr.pipeline


@pytest.fixture(scope="session")
def reference():  # type: ignore[no-untyped-def]
    """RapidOCR 1.4.4 on ONNX Runtime with its own config.yaml: the original pipeline."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


@pytest.fixture(scope="session")
def onnx_models() -> dict[str, Path]:
    """The three ONNX graphs as the installed rapidocr-onnxruntime ships them."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    assert spec is not None and spec.submodule_search_locations
    models = Path(spec.submodule_search_locations[0]) / "models"
    return {
        "det": models / "ch_PP-OCRv4_det_infer.onnx",
        "cls": models / "ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "rec": models / "ch_PP-OCRv4_rec_infer.onnx",
    }


def bgr_of(path: Path) -> np.ndarray:
    """An image file as the HxWx3 uint8 BGR array both pipelines take."""
    return np.ascontiguousarray(np.asarray(Image.open(path).convert("RGB"))[:, :, ::-1])


@pytest.fixture(scope="session")
def page_bgr() -> np.ndarray:
    return bgr_of(FIXTURES / "page.png")


@pytest.fixture(scope="session")
def text_bgr() -> np.ndarray:
    return bgr_of(FIXTURES / "text.png")


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    from hub_ocr.fonts import packaged_font

    font = packaged_font()
    assert font is not None, "the test extra installs cvttf-NotoSansCJK-Regular"
    return font
