"""The YOLOv3 networks (Darknet-53 and tiny), laid out so that Darknet's layer order is explicit.

Darknet stores weights as one flat stream in the order its cfg file lists the convolutions;
``conv_layers()`` returns the convolutions in exactly that order, which is all the weight
reader and writer need to know about the architecture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling

# Anchor sizes in pixels of the network input, smallest first, as in the Darknet cfg files.
COCO_ANCHORS: tuple[tuple[int, int], ...] = (
    (10, 13), (16, 30), (33, 23), (30, 61), (62, 45), (59, 119), (116, 90), (156, 198), (373, 326),
)  # fmt: skip
TINY_ANCHORS: tuple[tuple[int, int], ...] = ((10, 14), (23, 27), (37, 58), (81, 82), (135, 169), (344, 319))


@dataclass(frozen=True)
class YoloConfig:
    """What fixes a YOLOv3 network's shape: saved beside every checkpoint as JSON."""

    arch: str = "darknet53"  # "darknet53" or "tiny"
    num_classes: int = 80
    anchors: tuple[tuple[int, int], ...] = COCO_ANCHORS
    width: float = 1.0  # channel multiplier; 1.0 is the published architecture
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.arch not in ("darknet53", "tiny"):
            raise ValueError(f"arch {self.arch!r} must be 'darknet53' or 'tiny'")
        expected = 9 if self.arch == "darknet53" else 6
        if len(self.anchors) != expected:
            raise ValueError(f"arch {self.arch!r} needs {expected} anchors, got {len(self.anchors)}")
        if self.num_classes < 1:
            raise ValueError("num_classes must be at least 1")
        if self.labels and len(self.labels) != self.num_classes:
            raise ValueError(f"{len(self.labels)} labels given for {self.num_classes} classes")
        object.__setattr__(self, "anchors", tuple(tuple(int(v) for v in a) for a in self.anchors))
        object.__setattr__(self, "labels", tuple(self.labels))

    @property
    def num_heads(self) -> int:
        return 3 if self.arch == "darknet53" else 2

    @property
    def strides(self) -> tuple[int, ...]:
        """Output strides of the heads, finest first (the order of ``forward``'s outputs)."""
        return (8, 16, 32) if self.arch == "darknet53" else (16, 32)

    def head_anchors(self, head: int) -> tuple[tuple[int, int], ...]:
        """The three anchors of head ``head`` (0 = finest)."""
        return self.anchors[3 * head : 3 * head + 3]

    def to_dict(self) -> dict[str, object]:
        return {
            "arch": self.arch,
            "num_classes": self.num_classes,
            "anchors": [list(a) for a in self.anchors],
            "width": self.width,
            "labels": list(self.labels),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> YoloConfig:
        return cls(
            arch=str(data["arch"]),
            num_classes=int(data["num_classes"]),  # type: ignore[arg-type]
            anchors=tuple(tuple(a) for a in data["anchors"]),  # type: ignore[union-attr, misc]
            width=float(data.get("width", 1.0)),  # type: ignore[arg-type]
            labels=tuple(data.get("labels", ())),  # type: ignore[arg-type]
        )


DARKNET_BN_EPSILON = 1e-6  # added to the standard deviation, not to the variance


class DarknetBatchNorm(nn.BatchNorm2d):
    """Batch norm that, in inference, normalises as Darknet does: ``(x - mean) / (sqrt(var) + 1e-6)``.

    PyTorch divides by ``sqrt(var + 1e-5)``; on the official weights, whose variances can be
    small, that alone moves the last layer by 2e-4.  Training keeps PyTorch's batch
    statistics (Darknet's training formula differs from it only by that epsilon).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            return super().forward(x)
        scale, shift = self.inference_affine()
        return torch.addcmul(shift.view(1, -1, 1, 1), x, scale.view(1, -1, 1, 1))

    def inference_affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The per-channel ``scale`` and ``shift`` this layer applies in inference."""
        assert self.running_var is not None and self.running_mean is not None
        scale = self.weight / (self.running_var.sqrt() + DARKNET_BN_EPSILON)
        return scale, self.bias - self.running_mean * scale


class ConvUnit(nn.Module):
    """Darknet's convolutional layer: conv, then batch norm and leaky ReLU, or a bias alone.

    ``folded`` units (see ``inference.fold_batch_norm``) carry the batch norm inside the
    convolution's bias and scale, and apply only the leaky ReLU after it.
    """

    def __init__(self, c_in: int, c_out: int, k: int, stride: int = 1, *, head: bool = False) -> None:
        super().__init__()
        self.head = head
        self.conv = nn.Conv2d(c_in, c_out, k, stride, k // 2, bias=head)
        self.bn: DarknetBatchNorm | None = None if head else DarknetBatchNorm(c_out, eps=1e-5, momentum=0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        if self.head:
            return x
        if self.bn is not None:
            x = self.bn(x)
        return F.leaky_relu(x, 0.1)


def max_pool_2x2(x: torch.Tensor) -> torch.Tensor:
    """Darknet's size-2 stride-2 max pool; on even sizes, the maximum of the four interleaved quarters.

    That is the same value as ``F.max_pool2d(x, 2, 2)`` and several times faster on the CPU,
    where the pooling kernel also computes the argmax indices it then throws away.
    """
    if x.requires_grad or x.shape[-1] % 2 or x.shape[-2] % 2:
        return F.max_pool2d(x, 2, 2)
    top = torch.maximum(x[..., 0::2, 0::2], x[..., 0::2, 1::2])
    return torch.maximum(top, torch.maximum(x[..., 1::2, 0::2], x[..., 1::2, 1::2]))


class Residual(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.reduce = ConvUnit(c, c // 2, 1)
        self.expand = ConvUnit(c // 2, c, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.expand(self.reduce(x))


def _ch(c: int, width: float) -> int:
    return max(8, round(c * width))


class Darknet53(nn.Module):
    """The backbone; returns the stride-8, -16 and -32 feature maps."""

    def __init__(self, width: float = 1.0) -> None:
        super().__init__()
        c = [_ch(n, width) for n in (32, 64, 128, 256, 512, 1024)]
        self.stem = ConvUnit(3, c[0], 3)
        stages = []
        for i, repeats in enumerate((1, 2, 8, 8, 4)):
            stages.append(
                nn.Sequential(ConvUnit(c[i], c[i + 1], 3, 2), *[Residual(c[i + 1]) for _ in range(repeats)])
            )
        self.stages = nn.ModuleList(stages)
        self.channels = (c[3], c[4], c[5])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.stem(x)
        x = self.stages[1](self.stages[0](x))
        c3 = self.stages[2](x)
        c4 = self.stages[3](c3)
        c5 = self.stages[4](c4)
        return c3, c4, c5


class _Neck(nn.Module):
    """Five alternating 1x1/3x3 convolutions, then a 3x3 and the prediction 1x1."""

    def __init__(self, c_in: int, c: int, outputs: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            ConvUnit(c_in, c, 1),
            ConvUnit(c, 2 * c, 3),
            ConvUnit(2 * c, c, 1),
            ConvUnit(c, 2 * c, 3),
            ConvUnit(2 * c, c, 1),
        )
        self.out = nn.Sequential(ConvUnit(c, 2 * c, 3), ConvUnit(2 * c, outputs, 1, head=True))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        branch = self.body(x)
        return branch, self.out(branch)


class YOLOv3(nn.Module):
    """Raw head outputs ``(B, 3*(5+C), H, W)``, finest first; decoding lives in ``boxes``."""

    def __init__(self, config: YoloConfig) -> None:
        super().__init__()
        self.config = config
        outputs = 3 * (5 + config.num_classes)
        if config.arch == "darknet53":
            self.backbone = Darknet53(config.width)
            c3, c4, c5 = self.backbone.channels
            self.neck_large = _Neck(c5, c5 // 2, outputs)
            self.lateral_mid = ConvUnit(c5 // 2, c4 // 2, 1)
            self.neck_mid = _Neck(c4 + c4 // 2, c4 // 2, outputs)
            self.lateral_small = ConvUnit(c4 // 2, c3 // 2, 1)
            self.neck_small = _Neck(c3 + c3 // 2, c3 // 2, outputs)
        else:
            self._build_tiny(config.width, outputs)

    def _build_tiny(self, width: float, outputs: int) -> None:
        c = [_ch(n, width) for n in (16, 32, 64, 128, 256, 512, 1024)]
        self.tiny_convs = nn.ModuleList([ConvUnit(3 if i == 0 else c[i - 1], c[i], 3) for i in range(7)])
        self.tiny_reduce = ConvUnit(c[6], c[4], 1)
        self.tiny_large = nn.Sequential(ConvUnit(c[4], c[5], 3), ConvUnit(c[5], outputs, 1, head=True))
        self.tiny_lateral = ConvUnit(c[4], c[3], 1)
        self.tiny_mid = nn.Sequential(ConvUnit(c[3] + c[4], c[4], 3), ConvUnit(c[4], outputs, 1, head=True))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.config.arch == "tiny":
            return self._forward_tiny(x)
        c3, c4, c5 = self.backbone(x)
        branch, large = self.neck_large(c5)
        x = torch.cat([F.interpolate(self.lateral_mid(branch), scale_factor=2.0, mode="nearest"), c4], 1)
        branch, mid = self.neck_mid(x)
        x = torch.cat([F.interpolate(self.lateral_small(branch), scale_factor=2.0, mode="nearest"), c3], 1)
        _, small = self.neck_small(x)
        return [small, mid, large]

    def _forward_tiny(self, x: torch.Tensor) -> list[torch.Tensor]:
        route = x
        for i, conv in enumerate(self.tiny_convs):
            x = conv(x)
            if i == 4:
                route = x
            if i < 5:
                x = max_pool_2x2(x)
            elif i == 5:
                # Darknet's size-2 stride-1 max pool keeps the size by padding right and bottom.
                x = F.max_pool2d(F.pad(x, (0, 1, 0, 1), mode="replicate"), 2, 1)
        branch = self.tiny_reduce(x)
        large = self.tiny_large(branch)
        up = F.interpolate(self.tiny_lateral(branch), scale_factor=2.0, mode="nearest")
        mid = self.tiny_mid(torch.cat([up, route], 1))
        return [mid, large]

    def conv_layers(self) -> list[ConvUnit]:
        """Every convolution in the order of the Darknet cfg, which is the weight file's order."""
        if self.config.arch == "tiny":
            return [
                *self.tiny_convs,
                self.tiny_reduce,
                *self.tiny_large,
                self.tiny_lateral,
                *self.tiny_mid,
            ]  # type: ignore[list-item]
        backbone = [m for m in self.backbone.modules() if isinstance(m, ConvUnit)]
        necks: list[ConvUnit] = []
        for neck, lateral in ((self.neck_large, self.lateral_mid), (self.neck_mid, self.lateral_small)):
            necks += [*neck.body, *neck.out, lateral]  # type: ignore[list-item]
        necks += [*self.neck_small.body, *self.neck_small.out]  # type: ignore[list-item]
        return backbone + necks
