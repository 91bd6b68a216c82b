"""Building blocks shared by the three networks, in the form PaddleOCR exports them for inference.

The exported graphs have their re-parameterised branches already folded into single convolutions,
so the blocks here are the folded ones: a convolution with bias, then the PP-LCNetV3 "learnable
affine block" (two scalars), then an activation that carries its own affine block.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling


def hard_sigmoid(x: torch.Tensor, slope: float) -> torch.Tensor:
    """Paddle's hardsigmoid: clip(slope * x + 0.5, 0, 1); Paddle uses slope 0.2, PP-LCNetV3's SE 1/6."""
    return torch.clamp(x * slope + 0.5, 0.0, 1.0)


class Affine(nn.Module):
    """y = scale * x + bias with one learnt scalar each (PP-LCNetV3's learnable affine block)."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale * x + self.bias


class HardSwishAffine(nn.Module):
    """hardswish followed by its own affine block, as PP-LCNetV3's activations are."""

    def __init__(self) -> None:
        super().__init__()
        self.affine = Affine()
        self.folded: tuple[float, torch.Tensor] | None = None
        self.plain = False  # True once the affine block was folded into the next convolution

    def fold(self) -> None:
        """Inference form: the scale as a Python number, the work in place (see forward)."""
        self.folded = (float(self.affine.scale.detach()), self.affine.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.folded is not None:
            # Folded means inference: x is a fresh convolution output, so work in place and
            # spare the allocations (first-touch page faults are a large share on big maps).
            x = F.hardswish(x, inplace=True)
            if self.plain:
                return x
            scale, bias = self.folded
            return x.mul_(scale).add_(bias)
        return self.affine(F.hardswish(x))


class FoldedRepConv(nn.Module):
    """A re-parameterised PP-LCNetV3 layer after folding: conv with bias, affine, optional activation."""

    def __init__(
        self,
        channels_in: int,
        channels_out: int,
        kernel: int,
        stride: int | tuple[int, int] = 1,
        groups: int = 1,
        activation: bool = True,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels_in, channels_out, kernel, stride, kernel // 2, groups=groups)
        self.affine: Affine | None = Affine()
        self.act = HardSwishAffine() if activation else None

    def fold(self) -> None:
        """Fold the affine block into the convolution: (w * x + b) * s + t = (s w) * x + (s b + t)."""
        if self.affine is None:
            return
        scale, bias = self.affine.scale.detach().double(), self.affine.bias.detach().double()
        with torch.no_grad():  # in float64, so that folding adds no rounding of its own
            self.conv.weight.copy_(self.conv.weight.double() * scale)
            self.conv.bias.copy_(self.conv.bias.double() * scale + bias)
        self.affine = None
        if self.act is not None:
            self.act.fold()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        if self.affine is not None:
            x = self.affine(x)
        return self.act(x) if self.act is not None else x


class SqueezeExcite(nn.Module):
    """Channel attention: pooled -> reduce (ReLU) -> expand -> hard sigmoid -> scale the input."""

    def __init__(self, channels: int, reduction: int = 4, slope: float = 0.2) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(channels, channels // reduction, 1)
        self.expand = nn.Conv2d(channels // reduction, channels, 1)
        self.slope = slope

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.expand(F.relu(self.reduce(F.adaptive_avg_pool2d(x, 1))))
        return x * hard_sigmoid(s, self.slope)


class LCNetV3Block(nn.Module):
    """Depthwise k x k (activation unless the stride is the integer 2), optional SE, pointwise 1 x 1."""

    def __init__(
        self, kernel: int, channels_in: int, channels_out: int, stride: int | tuple[int, int], se: bool
    ) -> None:
        super().__init__()
        self.depthwise = FoldedRepConv(
            channels_in, channels_in, kernel, stride, groups=channels_in, activation=stride != 2
        )
        self.se = SqueezeExcite(channels_in, 4, slope=1.0 / 6.0) if se else None
        self.pointwise = FoldedRepConv(channels_in, channels_out, 1)

    def fold_activation_into_pointwise(self) -> None:
        """pw(s * h + t) = (s W) h + (b + t W 1): exact for a 1 x 1 convolution, which has no padding."""
        act = self.depthwise.act
        if act is None or act.folded is None or (act.folded[0] == 1.0 and not act.folded[1].any()):
            return
        scale, bias = act.folded
        conv = self.pointwise.conv
        with torch.no_grad():
            weight = conv.weight.double()
            conv.bias.copy_(conv.bias.double() + bias.double() * weight.sum(dim=(1, 2, 3)))
            conv.weight.copy_(weight * scale)
        act.folded = (1.0, torch.zeros_like(bias))
        act.plain = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depthwise(x)
        if self.se is not None:
            x = self.se(x)
        return self.pointwise(x)


BlockSpec = tuple[int, int, int, "int | tuple[int, int]", bool]  # kernel, in, out, stride, SE


class LCNetV3(nn.Module):
    """PP-LCNetV3: a stride-2 stem (conv + BN) then LCNetV3 blocks; returns the chosen blocks' outputs."""

    def __init__(self, stem_channels: int, blocks: list[BlockSpec], taps: tuple[int, ...]) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, stem_channels, 3, 2, 1, bias=False)
        self.stem_bn: nn.BatchNorm2d | None = nn.BatchNorm2d(stem_channels)
        self.blocks = nn.ModuleList(LCNetV3Block(*spec) for spec in blocks)
        self.taps = taps

    def fold(self) -> None:
        if self.stem_bn is not None:
            fold_batch_norm(self.stem, self.stem_bn)
            self.stem_bn = None

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        if self.stem_bn is not None:
            x = self.stem_bn(x)
        outputs = []
        for index, block in enumerate(self.blocks):
            x = block(x)
            if index in self.taps:
                outputs.append(x)
        return outputs


def fold_batch_norm(conv: nn.Conv2d | nn.ConvTranspose2d, bn: nn.BatchNorm2d) -> None:
    """Fold an inference-mode batch norm into the convolution before it (which gains a bias)."""
    with torch.no_grad():  # in float64, so that folding adds no rounding of its own
        scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
        shift = bn.bias.double() - bn.running_mean.double() * scale
        shape = (1, -1, 1, 1) if isinstance(conv, nn.ConvTranspose2d) else (-1, 1, 1, 1)
        conv.weight.copy_(conv.weight.double() * scale.view(shape))
        old_bias = conv.bias.double() if conv.bias is not None else torch.zeros_like(scale)
        conv.bias = nn.Parameter((old_bias * scale + shift).float())


class PointwiseConv2d(nn.Conv2d):
    """A 1 x 1, stride-1, ungrouped convolution computed as one matrix product on NHWC data.

    On channels-last tensors PyTorch sends 1 x 1 convolutions down a slow path with copies;
    (N*H*W, C) @ (C, O) reads the same memory in place and writes NHWC directly.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not x.is_contiguous(memory_format=torch.channels_last) or x.shape[1] == 1:
            return super().forward(x)
        batch, channels, height, width = x.shape
        rows = x.permute(0, 2, 3, 1).reshape(-1, channels)
        weight = self.weight.view(self.out_channels, channels).t()
        out = torch.addmm(self.bias, rows, weight) if self.bias is not None else rows @ weight
        return out.view(batch, height, width, self.out_channels).permute(0, 3, 1, 2)


def _is_pointwise(conv: nn.Module) -> bool:
    return (
        type(conv) is nn.Conv2d
        and conv.kernel_size == (1, 1)
        and conv.stride == (1, 1)
        and conv.groups == 1
        and conv.padding in ((0, 0), 0)
    )


def fold_network(network: nn.Module) -> nn.Module:
    """Fold every batch norm and affine block that can be folded exactly; for inference only.

    Also: an activation's affine block that feeds a 1 x 1 convolution directly is folded into
    that convolution (exact: no padding), and 1 x 1 convolutions become :class:`PointwiseConv2d`.
    """
    for module in list(network.modules()):
        if isinstance(module, (FoldedRepConv, ConvBNAct, LCNetV3)):
            module.fold()
        elif hasattr(module, "fold_batch_norms"):
            module.fold_batch_norms()
    for module in network.modules():
        if isinstance(module, LCNetV3Block) and module.se is None:
            module.fold_activation_into_pointwise()
    for module in network.modules():
        if _is_pointwise(module):
            module.__class__ = PointwiseConv2d
    return network


class ConvBNAct(nn.Module):
    """conv (no bias) + BN + an optional activation, the plain Paddle ConvBNLayer."""

    def __init__(
        self,
        channels_in: int,
        channels_out: int,
        kernel: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        groups: int = 1,
        act: str | None = None,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels_in, channels_out, kernel, stride, padding, groups=groups, bias=False)
        self.bn: nn.BatchNorm2d | None = nn.BatchNorm2d(channels_out)
        self.act = act

    def fold(self) -> None:
        if self.bn is not None:
            fold_batch_norm(self.conv, self.bn)
            self.bn = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        folded = self.bn is None  # inference form: x is a fresh convolution output, work in place
        if not folded:
            x = self.bn(x)
        if self.act == "relu":
            return F.relu(x, inplace=folded)
        if self.act == "hardswish":
            return F.hardswish(x, inplace=folded)
        if self.act == "swish":
            return x.mul_(torch.sigmoid(x)) if folded else x * torch.sigmoid(x)
        return x
