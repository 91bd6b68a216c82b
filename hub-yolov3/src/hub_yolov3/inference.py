"""The network as inference runs it: batch norm folded away, convolution and leaky ReLU in one kernel.

Folding uses the very arithmetic of ``DarknetBatchNorm`` in inference (scale = gamma /
(sqrt(var) + 1e-6), shift = beta - mean x scale), so the folded copy computes what the
original does up to float rounding.  On a CPU with oneDNN, each convolution then runs as one
oneDNN primitive with the leaky ReLU as a post-op and its weights reordered once, ahead of
time, into oneDNN's blocked layout (PyTorch's eager convolution reorders them on every call,
which dominates at batch 1), on channels-last activations.  Where that primitive is missing
(PyTorch built without oneDNN) the folded eager network is used instead.

``InferenceNetwork`` caches the copy and rebuilds it when any weight of the original changed
in place (an optimiser step, a load), which PyTorch's version counters reveal.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling

from hub_yolov3.model import ConvUnit, YOLOv3

LEAKY_SLOPE = 0.1


def fold_batch_norm(model: YOLOv3) -> YOLOv3:
    """A folded, eval-mode copy of ``model`` without gradients; the original is left as it is."""
    folded = copy.deepcopy(model).eval()
    with torch.no_grad():
        for unit in folded.modules():
            if not isinstance(unit, ConvUnit) or unit.bn is None:
                continue
            scale, shift = unit.bn.inference_affine()
            conv = unit.conv
            fused = nn.Conv2d(
                conv.in_channels,
                conv.out_channels,
                conv.kernel_size,  # type: ignore[arg-type]
                conv.stride,  # type: ignore[arg-type]
                conv.padding,  # type: ignore[arg-type]
                bias=True,
            )
            fused.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
            fused.bias.copy_(shift)
            unit.conv, unit.bn = fused, None
    for parameter in folded.parameters():
        parameter.requires_grad_(False)
    return folded


class OneDnnConv(nn.Module):
    """A folded ConvUnit as one oneDNN convolution with the leaky ReLU fused in (none for a head)."""

    def __init__(self, unit: ConvUnit) -> None:
        super().__init__()
        conv = unit.conv
        assert unit.bn is None and conv.bias is not None, "fold the batch norm first"
        self.padding, self.stride = list(conv.padding), list(conv.stride)  # type: ignore[arg-type]
        self.dilation, self.groups = list(conv.dilation), conv.groups
        self.activation = "none" if unit.head else "leaky_relu"
        self.scalars: list[float] = [] if unit.head else [LEAKY_SLOPE]
        weight = torch.ops.mkldnn._reorder_convolution_weight(
            conv.weight.detach(), self.padding, self.stride, self.dilation, self.groups
        )
        self.register_buffer("weight", weight, persistent=False)
        self.register_buffer("bias", conv.bias.detach().clone(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._convolution_pointwise(
            x,
            self.weight,
            self.bias,
            self.padding,
            self.stride,
            self.dilation,
            self.groups,
            self.activation,
            self.scalars,
            "",
        )


def _onednn_works() -> bool:
    """Whether this PyTorch has the fused oneDNN convolution, and it agrees with eager on a small case."""
    if not torch.backends.mkldnn.is_available():
        return False
    try:
        unit = ConvUnit(4, 8, 3).eval()
        for parameter in unit.parameters():
            parameter.requires_grad_(False)
        unit.bn = None
        unit.conv = nn.Conv2d(4, 8, 3, 1, 1, bias=True)
        x = torch.randn(1, 4, 6, 6, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            expected = F.leaky_relu(unit.conv(x), LEAKY_SLOPE)
            fused = OneDnnConv(unit)(x.contiguous(memory_format=torch.channels_last))
        return bool(torch.allclose(fused, expected, atol=1e-5))
    except (RuntimeError, AttributeError, AssertionError):
        return False


def fuse_for_cpu(folded: YOLOv3) -> YOLOv3:
    """Replace every folded ConvUnit of ``folded`` (in place) by its oneDNN form; channels-last memory."""

    def swap(parent: nn.Module) -> None:
        for name, child in parent.named_children():
            if isinstance(child, ConvUnit):
                setattr(parent, name, OneDnnConv(child))
            else:
                swap(child)

    with torch.no_grad():
        swap(folded)
    return folded


def _versions(model: nn.Module) -> tuple[tuple[int, int], ...]:
    return tuple((id(t), t._version) for t in (*model.parameters(), *model.buffers()))


class InferenceNetwork:
    """Runs a model's folded (and, where possible, oneDNN-fused) copy; refolds after the weights change."""

    _fusable: bool | None = None  # probed once per process

    def __init__(self, model: YOLOv3, *, fuse: bool = True) -> None:
        self.model = model
        self.fuse = fuse
        self._network: YOLOv3 | None = None
        self._versions: tuple[tuple[int, int], ...] = ()

    @property
    def fused(self) -> bool:
        """Whether inference runs on oneDNN's fused convolutions."""
        if not self.fuse:
            return False
        if InferenceNetwork._fusable is None:
            InferenceNetwork._fusable = _onednn_works()
        return InferenceNetwork._fusable

    def network(self) -> YOLOv3:
        versions = _versions(self.model)
        if self._network is None or versions != self._versions:
            self._network = None  # free the old copy before building the new one
            folded = fold_batch_norm(self.model)
            self._network = fuse_for_cpu(folded) if self.fused else folded
            self._versions = versions
        return self._network

    def __call__(self, batch: torch.Tensor) -> list[torch.Tensor]:
        network = self.network()
        with torch.inference_mode():
            if self.fused:
                batch = batch.contiguous(memory_format=torch.channels_last)
            return [out.contiguous() for out in network(batch)]
