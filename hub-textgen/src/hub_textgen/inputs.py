"""Checks of what users pass to generate() and perplexity(): one clear line per fault, naming it.

Arguments of a call (prefix, temperature, n, ...) raise :class:`TextgenInputError`; items of a
list of texts are judged one by one, so that one bad text leaves the others scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hubcore import HubcoreError

MAX_N = 10_000
MAX_LENGTH = 100_000


class TextgenInputError(HubcoreError, ValueError):
    """An argument to textgen_lstm that cannot be used; the message says which and why."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_prefix(prefix: Any) -> str:
    if prefix is None:
        return ""
    if not isinstance(prefix, str):
        raise TextgenInputError(f"prefix must be a string, got {type(prefix).__name__} {prefix!r:.60}")
    return prefix


def check_count(n: Any) -> int:
    if not _is_int(n) or not 1 <= n <= MAX_N:
        raise TextgenInputError(f"n must be an integer from 1 to {MAX_N}, got {n!r}")
    return int(n)


def check_max_length(max_length: Any) -> int:
    if not _is_int(max_length) or not 1 <= max_length <= MAX_LENGTH:
        raise TextgenInputError(f"max_length must be an integer from 1 to {MAX_LENGTH}, got {max_length!r}")
    return int(max_length)


def check_seed(seed: Any, n: int) -> int | None:
    if seed is None:
        return None
    if not _is_int(seed) or seed < 0 or seed + n > 2**32:
        raise TextgenInputError(f"seed must be None or an integer from 0 to 2**32 - n, got {seed!r}")
    return int(seed)


def _one_temperature(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise TextgenInputError(
            f"{where} must be a finite number >= 0 (0 means greedy), got {type(value).__name__} {value!r}"
        )
    return float(value)


def check_temperature(temperature: Any) -> float | list[float]:
    """A number, or a non-empty list cycled through character by character (as textgenrnn allows)."""
    if isinstance(temperature, list | tuple):
        if not temperature:
            raise TextgenInputError("temperature list is empty")
        return [_one_temperature(t, f"temperature[{i}]") for i, t in enumerate(temperature)]
    return _one_temperature(temperature, "temperature")


def check_texts(texts: Any) -> Sequence[Any]:
    """The list itself; its items are judged by :func:`text_problem`."""
    if isinstance(texts, str):
        raise TextgenInputError("texts must be a list of strings; for one text pass [text]")
    if not isinstance(texts, list | tuple):
        raise TextgenInputError(f"texts must be a list of strings, got {type(texts).__name__}")
    return texts


def text_problem(index: int, text: Any, known: int) -> str | None:
    """Why ``texts[index]`` cannot be scored, or None; ``known`` counts its in-vocabulary characters."""
    if not isinstance(text, str):
        return f"texts[{index}] is {type(text).__name__}, not a string"
    if not text:
        return f"texts[{index}] is empty: there is nothing to score"
    if known == 0:
        return f"texts[{index}] has no character in the model's vocabulary ({text!r:.40})"
    return None
