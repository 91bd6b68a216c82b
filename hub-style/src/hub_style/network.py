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
        y = F.conv2d(centred_reflect_pad(x, self.pad, self.upsample), self.weight, stride=self.stride)
        flat = y.flatten(2)
        mean = flat.mean(-1)
        # The convolution's input is centred, so its output's mean is near zero and the variance
        # as E[y^2] - mean^2 loses nothing; it is one fast pass where var_mean is a slow one.
        var = (
            (torch.linalg.vector_norm(flat, dim=-1).square_() / flat.shape[-1])
            .sub_(mean * mean)
            .clamp_(min=0)
        )
        scale = (style @ self.gamma) * torch.rsqrt(var + EPSILON)
        shift = (style @ self.beta) - mean * scale
        y.mul_(scale[:, :, None, None]).add_(shift[:, :, None, None])
        if self.activation == "relu":
            return y.relu_()
        if self.activation == "sigmoid":
            return y.sigmoid_()
        return y


def centred_reflect_pad(x: torch.Tensor, pad: int, upsample: bool) -> torch.Tensor:
    """``x`` minus its per-channel mean, optionally upsampled 2x (nearest), reflect-padded by ``pad``.

    Subtracting a per-channel constant from a convolution's input only shifts each output channel
    by a constant, which the instance norm after it removes exactly; but it keeps the sums inside
    the convolution small, so float32 rounding is not magnified by the norm's division by a
    small standard deviation (the original graph's ONNX Runtime output is matched ~3x closer).
    One pass writes the centred (and upsampled) values into the padded buffer; the reflected
    border is then copied from inside it.
    """
    batch, channels, height, width = x.shape
    factor = 2 if upsample else 1
    out_h, out_w = height * factor, width * factor
    layout = (
        torch.channels_last if x.is_contiguous(memory_format=torch.channels_last) else torch.contiguous_format
    )
    padded = torch.empty(
        batch,
        channels,
        out_h + 2 * pad,
        out_w + 2 * pad,
        dtype=x.dtype,
        device=x.device,
        memory_format=layout,
    )
    centre = x.mean(dim=(2, 3), keepdim=True)
    inner = padded[:, :, pad : pad + out_h, pad : pad + out_w]
    if upsample:
        s = inner.stride()
        inner6 = inner.as_strided(
            (batch, channels, height, 2, width, 2), (s[0], s[1], 2 * s[2], s[2], 2 * s[3], s[3])
        )
        source = x[:, :, :, None, :, None].expand(batch, channels, height, 2, width, 2)
        torch.sub(source, centre[:, :, :, None, :, None], out=inner6)
    else:
        torch.sub(x, centre, out=inner)
    if pad:
        rows = padded[:, :, pad : pad + out_h]
        rows[..., :pad] = rows[..., pad + 1 : 2 * pad + 1].flip(-1)
        rows[..., pad + out_w :] = rows[..., out_w - 1 : pad + out_w - 1].flip(-1)
        padded[:, :, :pad] = padded[:, :, pad + 1 : 2 * pad + 1].flip(-2)
        padded[:, :, pad + out_h :] = padded[:, :, out_h - 1 : pad + out_h - 1].flip(-2)
    return padded


class ResidualBlock(nn.Module):
    """``x + norm(conv(relu(norm(conv(x)))))``: no activation after the sum."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.add_module("0", ConditionalConv(channels, channels, 3))
        self.add_module("1", ConditionalConv(channels, channels, 3, activation="none"))

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        first, second = self._modules["0"], self._modules["1"]
        return second(first(x, style), style).add_(x)  # type: ignore[no-any-return]


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
