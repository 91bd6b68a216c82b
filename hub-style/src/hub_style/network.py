"""Dumoulin et al.'s 26-style transformer network ("A Learned Representation for Artistic Style").

Three convolutions down (9x9, then two stride-2 3x3), six residual blocks, two nearest-2x
upsampling convolutions and a 9x9 convolution back to RGB with a sigmoid.  Every convolution is
reflect-padded, has no bias, and is followed by *conditional* instance normalisation: one row of
gamma and beta per style, and a blend of styles uses the weighted sum of their rows.

The layer names are those of the published ONNX graph, so the converter copies tensors by name.
Inference computes each norm as one multiply-add with per-channel scale and shift
(``scale = gamma / sqrt(var + eps)``, ``shift = beta - mean * scale``), which is the same
arithmetic as the graph's subtract / divide / multiply / add chain, in fewer passes over memory.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

NUM_STYLES = 26
EPSILON = 1e-5


class ConditionalConv(nn.Module):
    """Reflect pad, convolution, conditional instance norm and an optional activation."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int,
        stride: int = 1,
        upsample: bool = False,
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel, kernel))
        self.gamma = nn.Parameter(torch.ones(NUM_STYLES, out_channels))
        self.beta = nn.Parameter(torch.zeros(NUM_STYLES, out_channels))
        self.stride = stride
        self.pad = kernel // 2
        self.upsample = upsample
        self.activation = activation
        nn.init.kaiming_normal_(self.weight)

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """``x`` is N x C x H x W, ``style`` N x 26 (weights summing to one per image)."""
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = F.pad(x, (self.pad,) * 4, mode="reflect")
        x = F.conv2d(x, self.weight, stride=self.stride)
        var, mean = torch.var_mean(x, dim=(2, 3), keepdim=True, correction=0)
        gamma = (style @ self.gamma)[:, :, None, None]
        beta = (style @ self.beta)[:, :, None, None]
        scale = gamma * torch.rsqrt(var + EPSILON)
        x = torch.addcmul(beta - mean * scale, x, scale)
        if self.activation == "relu":
            return torch.relu_(x)
        if self.activation == "sigmoid":
            return torch.sigmoid_(x)
        return x


class ResidualBlock(nn.Module):
    """``x + norm(conv(relu(norm(conv(x)))))``: no activation after the sum."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.add_module("0", ConditionalConv(channels, channels, 3))
        self.add_module("1", ConditionalConv(channels, channels, 3, activation="none"))

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        first, second = self._modules["0"], self._modules["1"]
        return x + second(first(x, style), style)  # type: ignore[misc]


class MultiStyleNet(nn.Module):
    """RGB in [0, 1] (N x 3 x H x W, H and W multiples of 4) to stylised RGB in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.contract = nn.ModuleList(
            [
                ConditionalConv(3, 32, 9),
                ConditionalConv(32, 32, 3, stride=2),
                ConditionalConv(32, 32, 3, stride=2),
            ]
        )
        self.res = nn.ModuleList([ResidualBlock(32) for _ in range(6)])
        self.expand = nn.ModuleList(
            [
                ConditionalConv(32, 8, 3, upsample=True),
                ConditionalConv(8, 4, 3, upsample=True),
                ConditionalConv(4, 3, 9, activation="sigmoid"),
            ]
        )

    def stages(self) -> list[tuple[str, nn.Module]]:
        """Every layer or block in order, named as in the ONNX graph."""
        return [
            *((f"contract.{i}", m) for i, m in enumerate(self.contract)),
            *((f"res.{i}", m) for i, m in enumerate(self.res)),
            *((f"expand.{i}", m) for i, m in enumerate(self.expand)),
        ]

    def forward(self, image: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        x = image
        for _, stage in self.stages():
            x = stage(x, style)
        return x

    def activations(self, image: torch.Tensor, style: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every stage's output, for the layer-by-layer comparison with the original graph."""
        out, x = {}, image
        for name, stage in self.stages():
            x = stage(x, style)
            out[name] = x
        return out
