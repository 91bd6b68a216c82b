"""PP-OCRv4 mobile text detection: PP-LCNetV3 (x0.75) backbone, RSE-FPN neck, DB probability head.

Channel counts and strides are those of ``ch_PP-OCRv4_det_infer.onnx``; the network maps a
normalised BGR image (N, 3, H, W), H and W multiples of 32, to a text probability map (N, 1, H, W).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling

from hub_ocr.layers import BlockSpec, LCNetV3, SqueezeExcite, fold_batch_norm

DET_BLOCKS: list[BlockSpec] = [
    (3, 16, 32, 1, False),
    (3, 32, 48, 2, False),
    (3, 48, 48, 1, False),  # tap 1/4
    (3, 48, 96, 2, False),
    (3, 96, 96, 1, False),  # tap 1/8
    (3, 96, 192, 2, False),
    *[(5, 192, 192, 1, False)] * 4,  # tap 1/16
    (5, 192, 384, 2, True),
    (5, 384, 384, 1, True),
    (5, 384, 384, 1, False),
    (5, 384, 384, 1, False),  # tap 1/32
]
DET_TAPS = (2, 4, 9, 13)
TAP_CHANNELS = (48, 96, 192, 384)
REDUCED_CHANNELS = (12, 18, 42, 360)  # the backbone's 1 x 1 output convolutions
NECK_CHANNELS = 96


class ResidualSE(nn.Module):
    """RSE-FPN's layer: a convolution whose output is added to its own SE-scaled self."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels_in, channels_out, kernel, padding=kernel // 2, bias=False)
        self.se = SqueezeExcite(channels_out, 4, slope=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        return x + self.se(x)


class DBHead(nn.Module):
    """The DB binarisation branch: 3 x 3 conv, then two stride-2 transposed convs back to full size."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        quarter = channels // 4
        self.conv = nn.Conv2d(channels, quarter, 3, padding=1, bias=False)
        self.bn1: nn.Module = nn.BatchNorm2d(quarter)
        self.up1 = nn.ConvTranspose2d(quarter, quarter, 2, 2)
        self.bn2: nn.Module = nn.BatchNorm2d(quarter)
        self.up2 = nn.ConvTranspose2d(quarter, 1, 2, 2)

    def fold_batch_norms(self) -> None:
        if isinstance(self.bn1, nn.BatchNorm2d):
            fold_batch_norm(self.conv, self.bn1)
            fold_batch_norm(self.up1, self.bn2)
            self.bn1, self.bn2 = nn.Identity(), nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        folded = isinstance(self.bn1, nn.Identity)  # inference form: ReLU in place on fresh outputs
        x = F.relu(self.bn1(self.conv(x)), inplace=folded)
        x = F.relu(self.bn2(self.up1(x)), inplace=folded)
        return torch.sigmoid(self.up2(x))


class TextDetector(nn.Module):
    """Backbone -> four 1 x 1 reductions -> RSE-FPN -> DB head."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = LCNetV3(16, DET_BLOCKS, DET_TAPS)
        pairs = zip(TAP_CHANNELS, REDUCED_CHANNELS, strict=True)
        self.reduce = nn.ModuleList(nn.Conv2d(c, r, 1) for c, r in pairs)
        # Lateral and output layers, coarsest level first: the order the exported graph runs them in.
        self.lateral = nn.ModuleList(ResidualSE(r, NECK_CHANNELS, 1) for r in reversed(REDUCED_CHANNELS))
        self.smooth = nn.ModuleList(
            ResidualSE(NECK_CHANNELS, NECK_CHANNELS // 4, 3) for _ in REDUCED_CHANNELS
        )
        self.head = DBHead(NECK_CHANNELS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        taps = self.backbone(x)
        reduced = [conv(t) for conv, t in zip(self.reduce, taps, strict=True)]
        c2, c3, c4, c5 = reduced
        in5, in4, in3, in2 = (layer(c) for layer, c in zip(self.lateral, (c5, c4, c3, c2), strict=True))
        out4 = in4 + F.interpolate(in5, scale_factor=2.0, mode="nearest")
        out3 = in3 + F.interpolate(out4, scale_factor=2.0, mode="nearest")
        out2 = in2 + F.interpolate(out3, scale_factor=2.0, mode="nearest")
        p5, p4, p3, p2 = (layer(c) for layer, c in zip(self.smooth, (in5, out4, out3, out2), strict=True))
        fused = torch.cat(
            [
                F.interpolate(p5, scale_factor=8.0, mode="nearest"),
                F.interpolate(p4, scale_factor=4.0, mode="nearest"),
                F.interpolate(p3, scale_factor=2.0, mode="nearest"),
                p2,
            ],
            dim=1,
        )
        return self.head(fused)
