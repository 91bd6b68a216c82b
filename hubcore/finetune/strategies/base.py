"""BaseStrategy: the interface the trainer drives, every hook but ``build`` a no-op.

A training loop uses a strategy in five places::

    optimizer, scheduler = strategy.build(model, num_train_steps=T, params_layer=layers)
    for step in range(1, T + 1):
        loss = task_loss + (strategy.penalty(model) or 0)   # L2SP
        loss.backward()
        strategy.before_optimizer_step(model)              # gradient clipping
        optimizer.step(); scheduler.step(); optimizer.zero_grad()
        strategy.on_step_end(step, model)                  # gradual unfreezing

and saves ``strategy.state_dict()`` (tensors and plain values only, so it loads with
``torch.load(weights_only=True)``) beside the optimiser's and scheduler's.  On resume,
call ``build`` on the restored model first, then ``load_state_dict``.

``params_layer`` maps the model's own parameter names, exactly, to depth (0 =
embeddings); parameters it does not name are the task head, one level above the deepest."""

from __future__ import annotations

from typing import Any

import torch

from hubcore.finetune.strategies import schedules as schedules


class BaseStrategy:
    """The interface a training loop drives; the hooks default to doing nothing."""

    learning_rate: float = 1e-4

    def build(
        self, model: torch.nn.Module, *, num_train_steps: int, params_layer: dict[str, int] | None = None
    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None]:
        """The optimiser over ``model``'s trainable parameters and its per-step scheduler (or None)."""
        raise NotImplementedError

    def penalty(self, model: torch.nn.Module) -> torch.Tensor | None:
        """An extra loss term (such as L2SP's), or None."""
        del model
        return None

    def before_optimizer_step(self, model: torch.nn.Module) -> None:
        """Called after ``backward`` and before ``optimizer.step`` (for clipping gradients)."""
        del model

    def on_step_end(self, step: int, model: torch.nn.Module) -> None:
        """Called after optimiser step number ``step`` (1 after the first)."""
        del step, model

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint must keep besides the optimiser and scheduler."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output after :meth:`build`."""
        del state
