"""Greedy CTC decoding: best class per column, repeats merged, blanks dropped, mean confidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ctc_decode(probabilities: np.ndarray, alphabet: Sequence[str]) -> list[tuple[str, float]]:
    """(text, confidence) per row of an (N, T, C) softmax; confidence is the mean kept-column maximum.

    A line with no character kept gets confidence 0, as PP-OCR gives it.
    """
    best = probabilities.argmax(axis=2)
    best_probability = probabilities.max(axis=2)
    decoded = []
    for indices, scores in zip(best, best_probability, strict=True):
        keep = np.ones(len(indices), dtype=bool)
        keep[1:] = indices[1:] != indices[:-1]
        keep &= indices != 0
        text = "".join(alphabet[i] for i in indices[keep])
        kept = scores[keep]
        confidence = float(np.mean(kept.astype(np.float64))) if kept.size else 0.0
        decoded.append((text, confidence))
    return decoded
