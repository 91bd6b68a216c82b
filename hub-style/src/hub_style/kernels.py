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
* the norm and activation are applied in place;
* a layer with few channels and a large kernel (the last one) runs folded space-to-depth
  (:func:`fold_weight`);
* with several threads, the bands are shared among Python threads (``workers``), each running
  torch single-threaded.

Everything is channels-last (NHWC), the layout in which oneDNN's convolutions are fastest here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn.functional as F  # noqa: N812

BAND_BYTES = 2 << 20  # output rows per convolution band: about 2 MB, to stay in cache
# The centring constant need not be the exact mean (any per-channel constant is removed exactly by
# the norm); the mean of every 4th pixel in each direction is as good, at 1/16 of the reading.
CENTRE_STRIDE = 4


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
    """``x`` minus about its per-channel mean, optionally upsampled 2x (nearest), reflect-padded.

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
    centre = x[:, :, ::CENTRE_STRIDE, ::CENTRE_STRIDE].mean(dim=(2, 3), keepdim=True)
    inner = padded[:, :, pad : pad + out_h, pad : pad + out_w]
    if upsample:
        # Channels-last: one row of the upsampled image is each pixel's channel vector twice in a
        # row, so widen the rows once, then write each widened row to two output rows.
        rows = (x - centre).permute(0, 2, 3, 1).repeat_interleave(2, dim=2)  # N, H, 2W, C
        target = inner.permute(0, 2, 3, 1).unflatten(1, (height, 2))  # N, H, 2, 2W, C
        target.copy_(rows[:, :, None].expand(batch, height, 2, out_w, channels))
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
    padded: torch.Tensor,
    weight: torch.Tensor,
    stride: int,
    pool: BufferPool,
    phases: int = 1,
    workers: ThreadPoolExecutor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The valid convolution of ``padded`` and, per image and channel, the mean and variance.

    The variance is E[y^2] - E[y]^2 from float64 sums: safe because the input was centred, so
    the outputs' mean is close to zero and nothing cancels.  With ``phases`` > 1 every run of
    that many output channels is one channel of a space-to-depth folded output (see
    :func:`fold_weight`), and the moments are those of the unfolded channel.  With ``workers``
    the bands are shared among those threads (each running torch single-threaded).
    """
    batch, _, in_h, in_w = padded.shape
    kernel = weight.shape[-1]
    out_h, out_w = (in_h - kernel) // stride + 1, (in_w - kernel) // stride + 1
    channels = weight.shape[0]
    rows = max(1, BAND_BYTES // (out_w * channels * padded.element_size() * batch))
    if workers is not None:  # at least two bands per worker, so that they share the work evenly
        rows = min(rows, max(1, -(-out_h // (2 * workers._max_workers))))
    if rows >= out_h:  # small enough to be recycled by malloc: one piece
        out = F.conv2d(padded, weight, stride=stride)
        total = out.sum(dim=(2, 3)).double()
        squares = out.square().sum(dim=(2, 3)).double()
    else:
        out = pool.take((batch, channels, out_h, out_w), padded)
        inference = torch.is_inference_mode_enabled()  # thread-local: carried into the workers

        def band(start: int) -> tuple[torch.Tensor, torch.Tensor]:
            with torch.inference_mode(inference), torch.no_grad():
                stop = min(out_h, start + rows)
                piece = F.conv2d(
                    padded[:, :, start * stride : (stop - 1) * stride + kernel], weight, stride=stride
                )
                out[:, :, start:stop].copy_(piece)
                return piece.sum(dim=(2, 3)).double(), piece.square().sum(dim=(2, 3)).double()

        starts = range(0, out_h, rows)
        moments = list(workers.map(band, starts) if workers is not None else map(band, starts))
        total = torch.stack([m[0] for m in moments]).sum(0)
        squares = torch.stack([m[1] for m in moments]).sum(0)
    count = out_h * out_w * phases
    if phases > 1:
        total = total.unflatten(1, (-1, phases)).sum(-1)
        squares = squares.unflatten(1, (-1, phases)).sum(-1)
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


def fold_weight(weight: torch.Tensor, factor: int = 2) -> torch.Tensor:
    """A stride-1 KxK kernel rewritten for the space-to-depth folded input (``pixel_unshuffle``).

    With the padded input folded by ``factor`` (C*f*f channels at 1/f resolution), the same
    convolution is a ceil((K + f - 1) / f)-square one with OC*f*f outputs, ordered as
    ``pixel_shuffle`` expects.  For few channels and a large kernel (the last 9x9 layer, 4 in and
    3 out) that turns a convolution oneDNN runs at a fraction of its speed into one with 16 in
    and 12 out that it runs well; the sums are the same products in another order.
    """
    out_channels, in_channels, kernel, _ = weight.shape
    span = (kernel + factor - 1 + factor - 1) // factor
    folded = weight.new_zeros(out_channels, factor, factor, in_channels, factor, factor, span, span)
    for a in range(factor):
        for b in range(factor):
            for p in range(factor):
                for q in range(factor):
                    for u in range(span):
                        i = factor * u + p - a
                        if not 0 <= i < kernel:
                            continue
                        for v in range(span):
                            j = factor * v + q - b
                            if 0 <= j < kernel:
                                folded[:, a, b, :, p, q, u, v] = weight[:, :, i, j]
    return folded.reshape(out_channels * factor * factor, in_channels * factor * factor, span, span)
