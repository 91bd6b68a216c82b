"""Learning-rate schedules as pure functions of the step: factor times the base rate.

``step`` is the number of optimiser steps already taken (the scheduler's
``last_epoch``): the rate at step 0 is the one the first update uses.  Pure
functions keep the schedules testable by hand and make a resumed scheduler
exact, since its whole state is the step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LinearWarmupDecay:
    """Linear warm-up from 0 over ``warmup_steps``, then linear decay to 0 at ``total_steps``."""

    total_steps: int
    warmup_steps: int

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return step / self.warmup_steps
        remaining = self.total_steps - self.warmup_steps
        if remaining <= 0:
            return 0.0
        return max(0.0, (self.total_steps - step) / remaining)


@dataclass(frozen=True)
class NoamDecay:
    """The Transformer's schedule scaled to peak at 1: ``min(s / w, sqrt(w / s))`` with ``s = step + 1``.

    It rises linearly to the base rate at ``s = w`` (the warm-up), then decays as
    ``1 / sqrt(s)``; counting from 1 avoids the singular ``s = 0``.
    """

    warmup_steps: int

    def __call__(self, step: int) -> float:
        s = step + 1
        w = max(self.warmup_steps, 1)
        return min(s / w, math.sqrt(w / s))


@dataclass(frozen=True)
class WarmupConstant:
    """Linear warm-up over ``warmup_steps``, then the base rate."""

    warmup_steps: int

    def __call__(self, step: int) -> float:
        return step / self.warmup_steps if step < self.warmup_steps else 1.0


@dataclass(frozen=True)
class SlantedTriangular:
    """ULMFiT's slanted triangular rate (Howard and Ruder, 2018).

    With ``cut = floor(T * cut_fraction)``, ``p`` rises from 0 to 1 over the
    first ``cut`` steps and falls back to 0 at ``T``; the factor is
    ``(1 + p (ratio - 1)) / ratio``, from ``1/ratio`` up to 1 and down again.
    """

    total_steps: int
    cut_fraction: float = 0.1
    ratio: float = 32.0

    def __call__(self, step: int) -> float:
        cut = math.floor(self.total_steps * self.cut_fraction)
        if step < cut:
            p = step / cut
        else:
            tail = self.total_steps - cut
            p = max(0.0, 1.0 - (step - cut) / tail) if tail > 0 else 0.0
        return (1.0 + p * (self.ratio - 1.0)) / self.ratio


def constant(step: int) -> float:
    """The base rate throughout."""
    del step
    return 1.0
