"""Turning what a user says about style (an index, a blend, a weight list) into 26 weights.

Kept free of NumPy and torch so that the CLI can check ``--style`` / ``--blend`` before anything
heavy is imported, and so that every caller gets the same one-line error for the same mistake.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from hubcore import HubcoreError

NUM_STYLES = 26


class StyleError(HubcoreError):
    """A style index, blend or weight list that cannot be used; the message says what is wrong."""


def _index(value: object, where: str) -> int:
    if isinstance(value, bool) or (not isinstance(value, int) and not _is_integral(value)):
        raise StyleError(f"{where}: style index must be an integer 0 to {NUM_STYLES - 1}, got {value!r}")
    index = int(value)  # type: ignore[call-overload]
    if not 0 <= index < NUM_STYLES:
        raise StyleError(f"{where}: style index must be 0 to {NUM_STYLES - 1}, got {index}")
    return index


def _is_integral(value: object) -> bool:
    """NumPy integers and the like, without importing NumPy."""
    return hasattr(value, "__index__") and not isinstance(value, bool)


def _weight(value: object, where: str) -> float:
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StyleError(f"{where}: weight {value!r} is not a number") from None
    if not math.isfinite(weight) or weight < 0:
        raise StyleError(f"{where}: weights must be finite and non-negative, got {weight}")
    return weight


def _normalised(weights: list[float], where: str) -> list[float]:
    total = sum(weights)
    if total <= 0:
        raise StyleError(f"{where}: the style weights are all zero; give at least one a positive weight")
    return [w / total for w in weights]


def style_weights(style: object, where: str = "style") -> list[float]:
    """26 non-negative weights summing to one.

    ``style`` is an index (``19``), a mapping of indices to weights (``{3: 0.5, 19: 0.5}``),
    or a sequence of 26 weights; weights are rescaled to sum to one, as the network was trained
    with convex combinations of its styles.
    """
    if isinstance(style, str):
        raise StyleError(f"{where}: {style!r} is a string; pass an index, {{index: weight}} or 26 weights")
    if isinstance(style, Mapping):
        weights = [0.0] * NUM_STYLES
        if not style:
            raise StyleError(f"{where}: the blend is empty")
        for key, value in style.items():
            weights[_index(key, where)] += _weight(value, f"{where}[{key!r}]")
        return _normalised(weights, where)
    if isinstance(style, Sequence) or hasattr(style, "tolist"):
        values = list(style.tolist() if hasattr(style, "tolist") else style)  # type: ignore[union-attr]
        if len(values) != NUM_STYLES:
            raise StyleError(
                f"{where}: a weight list needs {NUM_STYLES} values (one per style), got {len(values)}"
            )
        return _normalised([_weight(v, f"{where}[{i}]") for i, v in enumerate(values)], where)
    weights = [0.0] * NUM_STYLES
    weights[_index(style, where)] = 1.0
    return weights


def parse_blend(text: str) -> dict[int, float]:
    """``"3:0.5,19:0.5"`` to ``{3: 0.5, 19: 0.5}``, the CLI's ``--blend`` syntax."""
    blend: dict[int, float] = {}
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise StyleError("--blend: empty; use e.g. 3:0.5,19:0.5")
    for part in parts:
        index_text, sep, weight_text = part.partition(":")
        if not sep or not index_text.strip() or not weight_text.strip():
            raise StyleError(f"--blend: {part!r} is not INDEX:WEIGHT (e.g. 3:0.5,19:0.5)")
        try:
            index = int(index_text)
        except ValueError:
            raise StyleError(f"--blend: style index {index_text.strip()!r} is not an integer") from None
        index = _index(index, "--blend")
        if index in blend:
            raise StyleError(f"--blend: style {index} is given twice")
        blend[index] = _weight(weight_text.strip(), f"--blend {index}")
    _normalised(list(blend.values()), "--blend")
    return blend


def describe(weights: Sequence[float]) -> str:
    """A short tag for file names: ``style19`` or ``blend3-0.5_19-0.5``."""
    used = [(i, w) for i, w in enumerate(weights) if w > 0]
    if len(used) == 1:
        return f"style{used[0][0]}"
    return "blend" + "_".join(f"{i}-{w:.3g}" for i, w in used)
