"""Registers ``chinese_ocr``; imported at hub start-up, so nothing heavy (no torch, numpy, PIL, cv2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_ocr import __version__
from hubcore import ModuleSpec, ServingSpec, hookimpl

WEIGHTS_SOURCE = (
    "PaddleOCR PP-OCRv4 det/rec and mobile v2.0 cls, as ONNX in the PyPI package rapidocr-onnxruntime 1.4.4 "
    "(Apache-2.0; wheel sha256 971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf), "
    "converted to safetensors and shipped in hub-ocr"
)


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    register(
        ModuleSpec(
            name="chinese_ocr",
            entry="hub_ocr.module:ChineseOCR",
            summary=(
                "Chinese/English OCR: PP-OCRv4 mobile DB detector + v2.0 direction classifier + "
                "PP-OCRv4 SVTR-LCNet recogniser (6,623 characters), ported to PyTorch."
            ),
            version=__version__,
            command="hub_ocr.cli:command",
            author="hubcore developers (networks and weights: PaddlePaddle PaddleOCR)",
            type="cv/text_recognition",
            requires_hubcore=">=0.1",
            license=f"Apache-2.0 (code and weights); weights: {WEIGHTS_SOURCE}",
            aliases=("chinese_ocr_db_crnn_mobile",),
            keywords=("ocr", "text", "chinese", "paddleocr", "pp-ocrv4", "db", "crnn", "svtr", "vision"),
            # recognize_text takes BGR arrays (cv2.imread's order), as PaddleHub's module did.
            serving=ServingSpec(
                method="recognize_text",
                inputs={"images": "images"},
                images=("images",),
                image_channels="BGR",
                options=("box_thresh", "text_thresh", "angle_classification"),
                fixed={"visualization": False},
                max_batch_size=4,
                max_wait_ms=10,
            ),
        )
    )
