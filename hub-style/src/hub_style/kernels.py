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
    """Reusable tensors by shape: ``take`` one, ``give`` it back when its values are dead."""

    def __init__(self) -> None:
        self._free: dict[tuple[int, ...], list[torch.Tensor]] = {}
        self._owned: set[int] = set()

    def take(self, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
        """An uninitialised channels-last float tensor of ``shape`` (N, C, H, W)."""
        free = self._free.get(shape)
        if free:
            return free.pop()
        tensor = torch.empty(shape, dtype=like.dtype, device=like.device, memory_format=torch.channels_last)
        self._owned.add(id(tensor))
        return tensor

    def give(self, tensor: torch.Tensor) -> None:
        """Return a tensor from ``take``; anything else (a caller's input) is ignored."""
        if id(tensor) in self._owned:
            self._free.setdefault(tuple(tensor.shape), []).append(tensor)

    def disown(self, tensor: torch.Tensor) -> torch.Tensor:
        """Hand a pooled tensor to the caller for good: the pool will never reuse it."""
        self._owned.discard(id(tensor))
        return tensor

    def clear(self) -> None:
        self._free.clear()
        self._owned.clear()


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
