"""The inference arithmetic of one conditional-instance-norm convolution, in few passes over memory.

Why not just ``F.pad`` / ``conv2d`` / ``var_mean`` / ``relu``: at full resolution one activation
of 32 channels is 33 MB (at 512 x 512), above the size glibc ever recycles, so every new tensor
that large costs a page fault per 4 KB on first touch, and ``var_mean`` is a slow Welford pass.
Here instead:

* every large intermediate comes from a :class:`BufferPool` that keeps them between layers and
  calls (tensors are reused, never re-faulted);
* a layer's input is centred (per-channel mean subtracted), upsampled and reflect-padded in one
  pass into a pooled buffer;
* the convolution runs in bands of output rows (a few MB each, recycled by malloc and still in
  cache), each copied into a pooled output while its per-channel sum and sum of squares are taken;
* the norm and activation are applied in place.

Everything is channels-last (NHWC), the layout in which oneDNN's convolutions are fastest here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812

BAND_BYTES = 2 << 20  # output rows per convolution band: about 2 MB, to stay in cache


class BufferPool:
    """Reusable memory for channels-last tensors: ``take`` a tensor, ``give`` it back when dead.

    Buffers are kept as flat storage and viewed at whatever shape is asked for, so photos of
    different sizes share them: a request is served by the smallest free buffer large enough.
    What the pool holds is bounded by the working set of the largest image it has served.
    """

    def __init__(self) -> None:
        self._free: list[torch.Tensor] = []
        self._lent: dict[int, torch.Tensor] = {}

    def take(self, shape: tuple[int, int, int, int], like: torch.Tensor) -> torch.Tensor:
        """An uninitialised channels-last tensor of ``shape`` (N, C, H, W), dtype of ``like``."""
        batch, channels, height, width = shape
        size = batch * channels * height * width
        fitting = [
            i
            for i, f in enumerate(self._free)
            if f.numel() >= size and f.dtype == like.dtype and f.device == like.device
        ]
        if fitting:
            flat = self._free.pop(min(fitting, key=lambda i: self._free[i].numel()))
        else:
            flat = torch.empty(size, dtype=like.dtype, device=like.device)
        view = flat[:size].view(batch, height, width, channels).permute(0, 3, 1, 2)
        self._lent[id(view)] = flat
        return view

    def give(self, tensor: torch.Tensor) -> None:
        """Return a tensor from ``take``; anything else (a caller's input) is ignored."""
        flat = self._lent.pop(id(tensor), None)
        if flat is not None:
            self._free.append(flat)

    def disown(self, tensor: torch.Tensor) -> torch.Tensor:
        """Hand a pooled tensor to the caller for good: its memory leaves the pool."""
        self._lent.pop(id(tensor), None)
        return tensor

    def clear(self) -> None:
        self._free.clear()
        self._lent.clear()


def centred_reflect_pad(x: torch.Tensor, pad: int, upsample: bool, pool: BufferPool) -> torch.Tensor:
    """``x`` minus its per-channel mean, optionally upsampled 2x (nearest), reflect-padded by ``pad``.

    Subtracting a per-channel constant from a convolution's input only shifts each output channel
    by a constant, which the instance norm after it removes exactly; but it keeps the sums inside
    the convolution small, so float32 rounding is not magnified by the norm's division by a small
    standard deviation (ONNX Runtime's output on the original graph is matched about 3x closer).
    One pass writes the centred (and upsampled) values into the padded buffer; the reflected
    border is then copied from inside it.
    """
    batch, channels, height, width = x.shape
    factor = 2 if upsample else 1
    out_h, out_w = height * factor, width * factor
    padded = pool.take((batch, channels, out_h + 2 * pad, out_w + 2 * pad), x)
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


def conv_with_moments(
    padded: torch.Tensor, weight: torch.Tensor, stride: int, pool: BufferPool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The valid convolution of ``padded`` and, per image and channel, the mean and variance.

    The variance is E[y^2] - E[y]^2 from float64 sums: safe because the input was centred, so
    the outputs' mean is close to zero and nothing cancels.
    """
    batch, _, in_h, in_w = padded.shape
    kernel = weight.shape[-1]
    out_h, out_w = (in_h - kernel) // stride + 1, (in_w - kernel) // stride + 1
    channels = weight.shape[0]
    rows = max(1, BAND_BYTES // (out_w * channels * padded.element_size() * batch))
    if rows >= out_h:  # small enough to be recycled by malloc: one piece
        out = F.conv2d(padded, weight, stride=stride)
        total = out.sum(dim=(2, 3)).double()
        squares = out.square().sum(dim=(2, 3)).double()
    else:
        out = pool.take((batch, channels, out_h, out_w), padded)
        total = torch.zeros(batch, channels, dtype=torch.float64)
        squares = torch.zeros(batch, channels, dtype=torch.float64)
        for start in range(0, out_h, rows):
            stop = min(out_h, start + rows)
            band = F.conv2d(
                padded[:, :, start * stride : (stop - 1) * stride + kernel], weight, stride=stride
            )
            out[:, :, start:stop].copy_(band)
            total += band.sum(dim=(2, 3)).double()
            squares += band.square().sum(dim=(2, 3)).double()
    count = out_h * out_w
    mean = total / count
    variance = (squares / count - mean * mean).clamp_(min=0.0)
    return out, mean.to(padded.dtype), variance.to(padded.dtype)


def normalise_(
    y: torch.Tensor,
    mean: torch.Tensor,
    variance: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    epsilon: float,
    activation: str,
) -> torch.Tensor:
    """In place: ``(y - mean) / sqrt(var + eps) * gamma + beta``, then the activation."""
    scale = gamma * torch.rsqrt(variance + epsilon)
    shift = beta - mean * scale
    torch.addcmul(shift[:, :, None, None], y, scale[:, :, None, None], out=y)
    if activation == "relu":
        return y.relu_()
    if activation == "sigmoid":
        return y.sigmoid_()
    return y
