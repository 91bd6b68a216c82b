"""The recurrences on NumPy: the engine used when the C kernel is not built.

Same formulas as ``_ckernel.c`` (including its exp clamp and its tanh written through
the sigmoid), run one step at a time over the rows of a padded batch still in progress.
"""

from __future__ import annotations

import numpy as np


def _exp(x: np.ndarray) -> np.ndarray:
    # The same clamp as the C kernel: no overflow warnings, and the same saturation.
    return np.exp(np.clip(x, np.float32(-87.0), np.float32(88.0)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.float32(1.0) / (np.float32(1.0) + _exp(-x))


def _tanh(x: np.ndarray) -> np.ndarray:
    return np.float32(2.0) / (np.float32(1.0) + _exp(np.float32(-2.0) * x)) - np.float32(1.0)


def _positions(lengths: np.ndarray, step: int, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
    rows = np.nonzero(lengths > step)[0]
    cols = lengths[rows] - 1 - step if reverse else np.full(rows.shape, step)
    return rows, cols


def gru(
    proj: np.ndarray, lengths: np.ndarray, gate_w: np.ndarray, cand_w: np.ndarray, reverse: bool
) -> np.ndarray:
    """Hidden states (batch, steps, hidden) of one GRU direction over projected inputs."""
    batch, steps, _ = proj.shape
    hidden = cand_w.shape[0]
    out = np.zeros((batch, steps, hidden), dtype=np.float32)
    h = np.zeros((batch, hidden), dtype=np.float32)
    for step in range(int(lengths.max(initial=0))):
        rows, cols = _positions(lengths, step, reverse)
        x = proj[rows, cols]
        hr = h[rows]
        gates = _sigmoid(x[:, : 2 * hidden] + hr @ gate_w)
        update, reset = gates[:, :hidden], gates[:, hidden:]
        cand = _tanh(x[:, 2 * hidden :] + (reset * hr) @ cand_w)
        hr = hr - update * hr + update * cand
        h[rows] = hr
        out[rows, cols] = hr
    return out


def lstm(
    proj: np.ndarray, lengths: np.ndarray, rec_w: np.ndarray, peephole: np.ndarray, reverse: bool
) -> np.ndarray:
    """Hidden states (batch, steps, hidden) of one peephole-LSTM direction over projected inputs."""
    batch, steps, _ = proj.shape
    hidden = rec_w.shape[0]
    out = np.zeros((batch, steps, hidden), dtype=np.float32)
    h = np.zeros((batch, hidden), dtype=np.float32)
    c = np.zeros((batch, hidden), dtype=np.float32)
    for step in range(int(lengths.max(initial=0))):
        rows, cols = _positions(lengths, step, reverse)
        g = proj[rows, cols] + h[rows] @ rec_w
        cr = c[rows]
        cand = _tanh(g[:, :hidden])
        gate_i = _sigmoid(g[:, hidden : 2 * hidden] + cr * peephole[0])
        gate_f = _sigmoid(g[:, 2 * hidden : 3 * hidden] + cr * peephole[1])
        cr = cand * gate_i + cr * gate_f
        gate_o = _sigmoid(g[:, 3 * hidden :] + cr * peephole[2])
        hr = gate_o * _tanh(cr)
        c[rows], h[rows] = cr, hr
        out[rows, cols] = hr
    return out


def viterbi(
    emission: np.ndarray, lengths: np.ndarray, start: np.ndarray, end: np.ndarray, trans: np.ndarray
) -> np.ndarray:
    """Best tag paths (batch, steps) of a linear-chain CRF; padding positions hold 0."""
    batch, steps, tags = emission.shape
    paths = np.zeros((batch, steps), dtype=np.int32)
    cols = np.arange(tags)
    for b in range(batch):
        length = int(lengths[b])
        if length == 0:
            continue
        alpha = start + emission[b, 0]
        pointers = np.zeros((length, tags), dtype=np.int32)
        for t in range(1, length):
            scores = alpha[:, None] + trans
            pointers[t] = scores.argmax(axis=0)
            alpha = scores[pointers[t], cols] + emission[b, t]
        best = int((alpha + end).argmax())
        for t in range(length - 1, -1, -1):
            paths[b, t] = best
            best = int(pointers[t, best])
    return paths
