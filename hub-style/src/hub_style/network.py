"""Dumoulin et al.'s 26-style transformer network ("A Learned Representation for Artistic Style").

Three convolutions down (9x9, then two stride-2 3x3), six residual blocks, two nearest-2x
upsampling convolutions and a 9x9 convolution back to RGB with a sigmoid.  Every convolution is
reflect-padded, has no bias, and is followed by *conditional* instance normalisation: one row of
gamma and beta per style, and a blend of styles uses the weighted sum of their rows.

The layer names are those of the published ONNX graph, so the converter copies tensors by name.
``forward`` is the fast inference path (``hub_style.kernels``: pooled buffers, channels-last,
banded convolutions, norms in place); ``reference`` is the same network op for op as the ONNX
graph writes it, the readable definition that the tests hold the fast path to.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from hub_style.kernels import BufferPool, centred_reflect_pad, conv_with_moments, fold_weight, normalise_

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
        fold: int = 1,
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel, kernel))
        self.gamma = nn.Parameter(torch.ones(NUM_STYLES, out_channels))
        self.beta = nn.Parameter(torch.zeros(NUM_STYLES, out_channels))
        self.stride = stride
        self.pad = kernel // 2
        self.upsample = upsample
        self.activation = activation
        self.fold = fold  # > 1: run as a space-to-depth folded convolution (kernels.fold_weight)
        nn.init.kaiming_normal_(self.weight)

    @torch.no_grad()
    def forward(
        self,
        x: torch.Tensor,
        style: torch.Tensor,
        pool: BufferPool | None = None,
        workers: ThreadPoolExecutor | None = None,
    ) -> torch.Tensor:
        """``x`` is N x C x H x W, ``style`` N x 26 (weights summing to one per image); inference only.

        With a ``pool`` the result may be a pooled buffer (the caller gives it back when done);
        without one it is the caller's to keep.
        """
        own = pool or BufferPool()
        nhwc = x.contiguous(memory_format=torch.channels_last)
        padded = centred_reflect_pad(nhwc, self.pad, self.upsample, own)
        gamma, beta = style @ self.gamma, style @ self.beta
        if self.fold == 1 or padded.shape[2] % self.fold or padded.shape[3] % self.fold:
            weight = self.weight.detach().contiguous(memory_format=torch.channels_last)
            y, mean, variance = conv_with_moments(
                padded, self._weight_nhwc() if self.fold == 1 else weight, self.stride, own, 1, workers
            )
            own.give(padded)
            y = normalise_(y, mean, variance, gamma, beta, EPSILON, self.activation)
            return y if pool is not None else own.disown(y)
        folded = F.pixel_unshuffle(padded, self.fold).contiguous(memory_format=torch.channels_last)
        own.give(padded)
        phases = self.fold * self.fold
        y, mean, variance = conv_with_moments(folded, self._weight_nhwc(), 1, own, phases, workers)
        y = normalise_(
            y,
            mean.repeat_interleave(phases, 1),
            variance.repeat_interleave(phases, 1),
            gamma.repeat_interleave(phases, 1),
            beta.repeat_interleave(phases, 1),
            EPSILON,
            self.activation,
        )
        out = F.pixel_shuffle(y, self.fold)
        own.give(y)
        return out

    def _weight_nhwc(self) -> torch.Tensor:
        """The kernel in channels-last order, converted again only when the weights change."""
        try:
            key = (self.weight.data_ptr(), self.weight._version)
        except RuntimeError:  # weights created under inference_mode have no version counter
            key = (self.weight.data_ptr(), -1)
        if getattr(self, "_nhwc_key", None) != key:
            weight = self.weight.detach()
            if self.fold > 1:
                weight = fold_weight(weight, self.fold)
            self._nhwc = weight.contiguous(memory_format=torch.channels_last)
            self._nhwc_key = key
        return self._nhwc

    def reference(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """The layer as the ONNX graph writes it, op for op: the plain definition, kept for tests."""
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        y = F.conv2d(F.pad(x, (self.pad,) * 4, mode="reflect"), self.weight, stride=self.stride)
        mean = y.mean(dim=(2, 3), keepdim=True)
        variance = (y - mean).pow(2).mean(dim=(2, 3), keepdim=True)
        gamma = (style @ self.gamma)[:, :, None, None]
        beta = (style @ self.beta)[:, :, None, None]
        y = (y - mean) * (1.0 / torch.sqrt(variance + EPSILON)) * gamma + beta
        if self.activation == "relu":
            return torch.relu(y)
        if self.activation == "sigmoid":
            return torch.sigmoid(y)
        return y


class ResidualBlock(nn.Module):
    """``x + norm(conv(relu(norm(conv(x)))))``: no activation after the sum."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.add_module("0", ConditionalConv(channels, channels, 3))
        self.add_module("1", ConditionalConv(channels, channels, 3, activation="none"))

    def _pair(self) -> tuple[ConditionalConv, ConditionalConv]:
        return self._modules["0"], self._modules["1"]  # type: ignore[return-value]

    @torch.no_grad()
    def forward(
        self,
        x: torch.Tensor,
        style: torch.Tensor,
        pool: BufferPool | None = None,
        workers: ThreadPoolExecutor | None = None,
    ) -> torch.Tensor:
        first, second = self._pair()
        own = pool or BufferPool()
        hidden = first(x, style, own, workers)
        out = second(hidden, style, own, workers).add_(x)
        own.give(hidden)
        return out if pool is not None else own.disown(out)

    def reference(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        first, second = self._pair()
        return x + second.reference(first.reference(x, style), style)


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
                ConditionalConv(4, 3, 9, activation="sigmoid", fold=2),
            ]
        )
        self._pool = BufferPool()
        self._lock = threading.Lock()

    def stages(self) -> list[tuple[str, ConditionalConv | ResidualBlock]]:
        """Every layer or block in order, named as in the ONNX graph."""
        return [
            *((f"contract.{i}", m) for i, m in enumerate(self.contract)),
            *((f"res.{i}", m) for i, m in enumerate(self.res)),
            *((f"expand.{i}", m) for i, m in enumerate(self.expand)),
        ]  # type: ignore[list-item]

    @torch.no_grad()
    def forward(self, image: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """Inference (no autograd: the layers work in place; ``reference`` is differentiable).

        The result is the caller's; calls are serialised, as they share the working buffers.

        With torch set to several threads, the convolutions' bands are shared among that many
        Python threads each running torch single-threaded, instead of torch's OpenMP team: the
        elementwise work between convolutions is small, and OpenMP's spin-waiting barriers at
        every one of the many small ops cost far more than they save on a busy machine.
        """
        with self._lock:
            return self._forward(image, style)

    def _forward(self, image: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        threads = torch.get_num_threads()
        workers = self._workers(threads) if threads > 1 else None
        if workers is not None:
            torch.set_num_threads(1)
        try:
            x = image
            for _, stage in self.stages():
                y = stage(x, style, self._pool, workers)
                self._pool.give(x)
                x = y
        finally:
            if workers is not None:
                torch.set_num_threads(threads)
        return self._pool.disown(x)  # channels-last memory: x.permute(0, 2, 3, 1) is NHWC for free

    def _workers(self, threads: int) -> ThreadPoolExecutor:
        if getattr(self, "_executor", None) is None or self._executor._max_workers != threads:
            self._executor = ThreadPoolExecutor(threads, thread_name_prefix="hub-style")
        return self._executor

    def release_buffers(self) -> None:
        """Free the working memory kept for the next image (about 60 bytes per pixel at most)."""
        self._pool = BufferPool()

    def activations(self, image: torch.Tensor, style: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every stage's output, for the layer-by-layer comparison with the original graph."""
        out, x = {}, image
        for name, stage in self.stages():
            x = stage(x, style)
            out[name] = x
        return out

    def reference(self, image: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """The whole network as the ONNX graph computes it, op for op (slow, differentiable)."""
        x = image
        for _, stage in self.stages():
            x = stage.reference(x, style)
        return x
