"""Where a training run stands: what a checkpoint must bring back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TrainState:
    """Where training stands: what a checkpoint must bring back."""

    step: int = 0
    epoch: int = 0
    position: int = 0  # batches of ``epoch`` already consumed
    best_metric: float | None = None
    best_step: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
