"""Choosing the next character the way textgenrnn's ``textgenrnn_sample`` does.

Temperature 0 is greedy (the arg-max).  Otherwise the probabilities, in float64, are sharpened as
``exp(log(p + 1e-7) / T)``, renormalised and drawn from with NumPy's legacy
``RandomState.multinomial(1, p, 1)``; a draw of index 0 (padding) is replaced by the
second-likeliest index.  Using the same generator and the same arithmetic means that a seeded
draw here picks what the original picks after ``np.random.seed(seed)``.
"""

from __future__ import annotations

import numpy as np

KERAS_EPSILON = 1e-7


def temperature_at(temperature: float | list[float], position: int) -> float:
    """The temperature for the token at ``position`` (characters so far), cycling through a list."""
    if isinstance(temperature, list):
        return temperature[position % len(temperature)]
    return temperature


def sample_index(probabilities: np.ndarray, temperature: float, generator: np.random.RandomState) -> int:
    """The next token id from one float32 distribution over the vocabulary."""
    preds = np.asarray(probabilities).astype("float64")
    if temperature == 0.0:
        return int(np.argmax(preds))
    preds = np.log(preds + KERAS_EPSILON) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    index = int(np.argmax(generator.multinomial(1, preds, 1)))
    if index == 0:
        index = int(np.argsort(preds)[-2])
    return index
