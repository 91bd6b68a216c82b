"""PaddleOCR's mobile v2.0 text direction classifier: MobileNetV3-small (x0.35), two classes (0, 180).

Input: a normalised BGR text-line crop (N, 3, 48, 192); output: softmax over (0 deg, 180 deg).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling

from hub_ocr.layers import ConvBNAct, SqueezeExcite

# kernel, expanded, out, SE, activation, stride - as in ch_ppocr_mobile_v2.0_cls_infer.onnx
CLS_BLOCKS: list[tuple[int, int, int, bool, str, tuple[int, int] | int]] = [
    (3, 8, 8, True, "relu", (2, 1)),
    (3, 24, 8, False, "relu", (2, 1)),
    (3, 32, 8, False, "relu", 1),
    (5, 32, 16, True, "hardswish", (2, 1)),
    (5, 88, 16, True, "hardswish", 1),
    (5, 88, 16, True, "hardswish", 1),
    (5, 40, 16, True, "hardswish", 1),
    (5, 48, 16, True, "hardswish", 1),
    (5, 104, 32, True, "hardswish", (2, 1)),
    (5, 200, 32, True, "hardswish", 1),
    (5, 200, 32, True, "hardswish", 1),
]


class InvertedResidual(nn.Module):
    """MobileNetV3's block: 1 x 1 expand, depthwise k x k, optional SE, 1 x 1 project, residual.

    The residual is added when the block keeps the shape (stride 1, same channels).
    """

    def __init__(
        self, channels_in: int, kernel: int, expanded: int, channels_out: int, se: bool, act: str,
        stride: tuple[int, int] | int,
    ) -> None:  # fmt: skip
        super().__init__()
        self.expand = ConvBNAct(channels_in, expanded, 1, act=act)
        self.depthwise = ConvBNAct(expanded, expanded, kernel, stride, kernel // 2, groups=expanded, act=act)
        self.se = SqueezeExcite(expanded, 4, slope=0.2) if se else None
        self.project = ConvBNAct(expanded, channels_out, 1)
        self.residual = stride == 1 and channels_in == channels_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.depthwise(self.expand(x))
        if self.se is not None:
            y = self.se(y)
        y = self.project(y)
        return x + y if self.residual else y


class DirectionClassifier(nn.Module):
    """Stem, eleven inverted residuals, a 1 x 1 to 200 channels, 2 x 2 max-pool, global pool, linear."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvBNAct(3, 8, 3, 2, 1, act="hardswish")
        blocks = []
        channels = 8
        for kernel, expanded, out, se, act, stride in CLS_BLOCKS:
            blocks.append(InvertedResidual(channels, kernel, expanded, out, se, act, stride))
            channels = out
        self.blocks = nn.Sequential(*blocks)
        self.last = ConvBNAct(channels, 200, 1, act="hardswish")
        self.fc = nn.Linear(200, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.last(self.blocks(self.stem(x)))
        x = F.adaptive_avg_pool2d(F.max_pool2d(x, 2, 2), 1).flatten(1)
        return torch.softmax(self.fc(x), dim=1)
