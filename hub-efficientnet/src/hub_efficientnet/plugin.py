"""Registers the EfficientNet-Lite modules, the video classifier, and the video task and reader.

Imported at hub start-up: nothing heavy here (no torch, NumPy, Pillow or PyAV).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_efficientnet import __version__
from hub_efficientnet.sources import LICENSE, SOURCES
from hubcore import Asset, ComponentSpec, ModuleSpec, ServingSpec, hookimpl

_SUMMARIES = {
    "efficientnet_lite0": "EfficientNet-Lite0: ImageNet classifier (224 px, 4.7M parameters), fine-tunable.",
    "efficientnet_lite1": "EfficientNet-Lite1: ImageNet classifier (240 px, 5.4M parameters), fine-tunable.",
    "efficientnet_lite2": "EfficientNet-Lite2: ImageNet classifier (260 px, 6.1M parameters), fine-tunable.",
}


_CLASSES = {f"efficientnet_lite{i}": f"EfficientNetLite{i}" for i in range(3)}


def weights_asset(name: str) -> Asset:
    source = SOURCES[name]
    return Asset(
        source.file_name, sha256=source.sha256, size=source.size, urls=(source.url,), license=LICENSE
    )


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    for name, summary in _SUMMARIES.items():
        register(
            ModuleSpec(
                name=name,
                version=__version__,
                entry=f"hub_efficientnet.module:{_CLASSES[name]}",
                command="hub_efficientnet.cli:command",
                summary=summary,
                author="hubcore developers (weights: Google; PyTorch conversion: ML Illustrated)",
                type="cv/image_classification",
                aliases=(name.replace("_", "-"), f"{name}_imagenet"),
                requires_hubcore=">=0.1",
                assets=(weights_asset(name),),
                keywords=("efficientnet", "lite", "imagenet", "classification", "vision", "image"),
                license="Apache-2.0 (code and weights)",
                # {"images": [base64, ...]} -> {label: probability} for the top_k classes of each.
                serving=ServingSpec(
                    method="classification",
                    inputs={"images": "images"},
                    images=("images",),
                    options=("top_k",),
                    batch_size_arg="batch_size",
                    max_batch_size=16,
                ),
            )
        )
    register(
        ModuleSpec(
            name="video_classifier",
            version=__version__,
            entry="hub_efficientnet.video_module:VideoClassifier",
            command="hub_efficientnet.video_cli:command",
            summary="Video classification fine-tuned on an image backbone (no pretrained video weights).",
            author="hubcore developers",
            type="cv/video_classification",
            requires_hubcore=">=0.1",
            keywords=("video", "classification", "action", "temporal", "efficientnet"),
            license="Apache-2.0",
        )
    )


@hookimpl
def hubcore_register_readers(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="video_classification",
            entry="hub_efficientnet.video_reader:VideoClassificationReader",
            summary="Clips from a path<TAB>label list, decoded with PyAV, K segments sampled per clip.",
        )
    )


@hookimpl
def hubcore_register_tasks(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="video_classification",
            entry="hub_efficientnet.video_task:VideoClassifierTask",
            summary="Per-frame image features, an order-aware temporal model, one label per clip.",
        )
    )
