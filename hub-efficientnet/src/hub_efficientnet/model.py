"""EfficientNet-Lite in plain torch: the network Google released for mobile CPUs, written from the paper.

Lite differs from EfficientNet-B*: ReLU6 instead of swish, no squeeze-and-excitation, and the stem
(32 channels) and head (1280 channels) are never scaled, nor are the repeats of the first and last
stage.  The weights come from TensorFlow, so every convolution pads the way TF's ``"SAME"`` does
(extra pixel at the bottom/right when the padding is odd) and batch norm uses epsilon 1e-3;
anything else shifts the logits.

``LiteNet.fused()`` folds each batch norm into its convolution for inference (the same function,
fewer passes over memory); training and feature extraction use the unfused network.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # torch's convention: TF's decay 0.99
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280


@dataclass(frozen=True)
class Stage:
    """One run of inverted-bottleneck blocks: how many, their kernel, stride, expansion and widths."""

    repeats: int
    kernel: int
    stride: int
    expand: int
    channels_in: int
    channels_out: int


# The seven stages of the EfficientNet baseline (Tan & Le 2019, table 1), widths before scaling.
BASE_STAGES = (
    Stage(1, 3, 1, 1, 32, 16),
    Stage(2, 3, 2, 6, 16, 24),
    Stage(2, 5, 2, 6, 24, 40),
    Stage(3, 3, 2, 6, 40, 80),
    Stage(3, 5, 1, 6, 80, 112),
    Stage(4, 5, 2, 6, 112, 192),
    Stage(1, 3, 1, 6, 192, 320),
)


@dataclass(frozen=True)
class LiteConfig:
    """A member of the family: width and depth multipliers, native resolution, dropout before the head."""

    name: str
    width: float
    depth: float
    resolution: int
    dropout: float
    num_classes: int = 1000


VARIANTS = {
    "efficientnet_lite0": LiteConfig("efficientnet_lite0", 1.0, 1.0, 224, 0.2),
    "efficientnet_lite1": LiteConfig("efficientnet_lite1", 1.0, 1.1, 240, 0.2),
    "efficientnet_lite2": LiteConfig("efficientnet_lite2", 1.1, 1.2, 260, 0.3),
}


def scaled_channels(channels: int, width: float, divisor: int = 8) -> int:
    """Channels times ``width``, rounded to a multiple of ``divisor`` but never down by more than 10%."""
    if width == 1.0:
        return channels
    wanted = channels * width
    rounded = max(divisor, int(wanted + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * wanted else rounded


def scaled_repeats(repeats: int, depth: float) -> int:
    return math.ceil(repeats * depth)


def tf_same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of one axis under TF's "SAME": the odd pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """A bias-free (or, once fused, biased) convolution padded like TF's "SAME".

    When the padding is symmetric (every stride-1 layer, stride-2 layers on odd sizes) the
    convolution pads by itself; otherwise the input is padded explicitly first.
    """

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__(cin, cout, kernel, stride=stride, groups=groups, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kernel, stride = self.kernel_size[0], self.stride[0]
        if kernel == 1 and stride == 1:
            return F.conv2d(x, self.weight, self.bias, 1, 0, 1, self.groups)
        top, bottom = tf_same_padding(x.shape[-2], kernel, stride)
        left, right = tf_same_padding(x.shape[-1], kernel, stride)
        if top == bottom and left == right:
            return F.conv2d(x, self.weight, self.bias, stride, (top, left), 1, self.groups)
        return F.conv2d(
            F.pad(x, (left, right, top, bottom)), self.weight, self.bias, stride, 0, 1, self.groups
        )


class ConvBNReLU6(nn.Module):
    """Convolution, batch norm, and ReLU6 unless ``activate`` is off (the linear projection)."""

    def __init__(
        self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, activate: bool = True
    ) -> None:
        super().__init__()
        self.conv = SameConv2d(cin, cout, kernel, stride, groups)
        self.bn: nn.Module = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn(self.conv(x))
        return F.relu6(x) if self.activate else x

    def fuse_(self) -> None:
        """Fold the batch norm into the convolution's weight and bias (eval statistics)."""
        if not isinstance(self.bn, nn.BatchNorm2d):
            return
        bn = self.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        self.conv.weight = nn.Parameter(self.conv.weight * scale.view(-1, 1, 1, 1))
        self.conv.bias = nn.Parameter(bn.bias - bn.running_mean * scale)
        self.bn = nn.Identity()


class InvertedBottleneck(nn.Module):
    """MBConv, no squeeze-excite: 1x1 expand, depthwise kxk, linear 1x1 project, residual if shapes match."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int, drop_path: float) -> None:
        super().__init__()
        hidden = cin * expand
        self.expand = ConvBNReLU6(cin, hidden, 1) if expand != 1 else None
        self.depthwise = ConvBNReLU6(hidden, hidden, kernel, stride, groups=hidden)
        self.project = ConvBNReLU6(hidden, cout, 1, activate=False)
        self.residual = stride == 1 and cin == cout
        self.drop_path = drop_path

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.expand(x) if self.expand is not None else x
        out = self.project(self.depthwise(out))
        if not self.residual:
            return out
        if self.training and self.drop_path > 0:
            keep = 1.0 - self.drop_path
            mask = torch.rand(out.shape[0], 1, 1, 1, dtype=out.dtype, device=out.device) < keep
            out = out * mask.to(out.dtype) / keep
        return out + x


class LiteNet(nn.Module):
    """The classifier: stem, 16 (lite0) or 21 (lite1, lite2) blocks, 1x1 head to 1280, average pool, linear.

    ``features(x)`` is the pooled 1280-vector (what fine-tuning builds on); ``forward(x)`` the logits.
    """

    def __init__(self, config: LiteConfig, drop_path: float = 0.2) -> None:
        super().__init__()
        self.config = config
        self.stem = ConvBNReLU6(3, STEM_CHANNELS, 3, stride=2)
        plan: list[tuple[int, int, int, int, int]] = []
        last = len(BASE_STAGES) - 1
        for index, stage in enumerate(BASE_STAGES):
            cin = STEM_CHANNELS if index == 0 else scaled_channels(stage.channels_in, config.width)
            cout = scaled_channels(stage.channels_out, config.width)
            repeats = stage.repeats if index in (0, last) else scaled_repeats(stage.repeats, config.depth)
            for r in range(repeats):
                plan.append(
                    (cin if r == 0 else cout, cout, stage.kernel, stage.stride if r == 0 else 1, stage.expand)
                )
        self.blocks = nn.Sequential(
            *(
                InvertedBottleneck(cin, cout, k, s, e, drop_path * i / len(plan))
                for i, (cin, cout, k, s, e) in enumerate(plan)
            )
        )
        self.head = ConvBNReLU6(plan[-1][1], HEAD_CHANNELS, 1)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(HEAD_CHANNELS, config.num_classes)
        self.feature_dim = HEAD_CHANNELS

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.feature_map(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.dropout(self.features(x)))

    def fused(self) -> LiteNet:
        """A copy for inference with every batch norm folded into its convolution (eval mode)."""
        clone = copy.deepcopy(self).eval()
        with torch.no_grad():
            for module in clone.modules():
                if isinstance(module, ConvBNReLU6):
                    module.fuse_()
        for p in clone.parameters():
            p.requires_grad_(False)
        return clone
