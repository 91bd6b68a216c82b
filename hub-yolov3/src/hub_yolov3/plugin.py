"""Registers the YOLOv3 modules and the detection task; imported at hub start-up, so nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_yolov3 import __version__
from hubcore import Asset, ComponentSpec, ModuleSpec, ServingSpec, hookimpl

# The Darknet weights are public domain (pjreddie/darknet, "YOLO LICENSE").  Their sizes follow
# from the architectures (20-byte header + 4 bytes x 62,001,757 or 8,858,734 values) and agree
# with the published files.  Their sha256 digests were not available offline when this was
# written: UNVERIFIED_SHA256 marks them, and the module refuses to fetch until a connected
# machine records the real digests here (`sha256sum yolov3.weights yolov3-tiny.weights`).
UNVERIFIED_SHA256 = "0" * 64
_LICENSE = "Public domain (Darknet YOLO licence, https://github.com/pjreddie/darknet/blob/master/LICENSE)"

YOLOV3_WEIGHTS = Asset(
    name="yolov3.weights",
    sha256=UNVERIFIED_SHA256,
    size=248_007_048,
    urls=(
        "https://pjreddie.com/media/files/yolov3.weights",
        "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov3.weights",
    ),
    license=_LICENSE,
)
YOLOV3_TINY_WEIGHTS = Asset(
    name="yolov3-tiny.weights",
    sha256=UNVERIFIED_SHA256,
    size=35_434_956,
    urls=("https://pjreddie.com/media/files/yolov3-tiny.weights",),
    license=_LICENSE,
)


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    common = {
        "version": __version__,
        "command": "hub_yolov3.cli:command",
        "author": "hubcore developers (weights: Joseph Redmon, Ali Farhadi)",
        "type": "cv/object_detection",
        "requires_hubcore": ">=0.1",
        "license": "Apache-2.0 (code); weights public domain",
        # PaddleHub Serving's request {"images": [base64, ...]}; no pictures are drawn on the server.
        "serving": ServingSpec(
            method="object_detection",
            inputs={"images": "images"},
            images=("images",),
            options=("score_thresh",),
            fixed={"visualization": False},
            batch_size_arg="batch_size",
            max_batch_size=8,
            max_wait_ms=10,
        ),
    }
    register(
        ModuleSpec(
            name="yolov3",
            entry="hub_yolov3.module:YOLOv3Detector",
            summary="YOLOv3 with a Darknet-53 backbone: 80-class COCO object detection, fine-tunable.",
            aliases=("yolov3_darknet53_coco2017",),
            assets=(YOLOV3_WEIGHTS,),
            keywords=("yolo", "yolov3", "darknet", "detection", "coco", "vision"),
            **common,
        )
    )
    register(
        ModuleSpec(
            name="yolov3_tiny",
            entry="hub_yolov3.module:YOLOv3TinyDetector",
            summary="YOLOv3-tiny: fast 80-class COCO object detection, fine-tunable on CPU.",
            aliases=("yolov3-tiny",),
            assets=(YOLOV3_TINY_WEIGHTS,),
            keywords=("yolo", "yolov3", "tiny", "detection", "coco", "vision"),
            **common,
        )
    )


@hookimpl
def hubcore_register_tasks(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="detection",
            entry="hub_yolov3.task:DetectionTask",
            summary="Fine-tunes YOLOv3 / YOLOv3-tiny on a VOC- or COCO-format detection data set.",
        )
    )
