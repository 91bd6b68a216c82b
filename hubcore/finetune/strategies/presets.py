"""Fine-tuning strategies: the optimiser, the learning-rate schedule and the training-time rules.

A training loop uses a strategy in five places::

    optimizer, scheduler = strategy.build(model, num_train_steps=T, params_layer=ctx.get_params_layer())
    for step in range(1, T + 1):
        loss = task_loss + (strategy.penalty(model) or 0)   # L2SP
        loss.backward()
        strategy.before_optimizer_step(model)              # gradient clipping
        optimizer.step(); scheduler.step(); optimizer.zero_grad()
        strategy.on_step_end(step, model)                  # gradual unfreezing

and saves ``strategy.state_dict()`` (tensors and plain values only, so it loads
with ``torch.load(weights_only=True)``) beside the optimiser's and scheduler's.
On resume, call ``build`` on the restored model first, then ``load_state_dict``.

``params_layer`` maps the model's parameter names to depth (0 = embeddings);
parameters it does not name are the task head, one level above the deepest.
Every strategy here is a preset of :class:`CombinedStrategy`.
"""

from __future__ import annotations

from typing import Any

from hubcore._errors import HubcoreError
from hubcore.finetune.strategies import schedules as schedules
from hubcore.finetune.strategies.combined import CombinedStrategy


class AdamWeightDecayStrategy(CombinedStrategy):
    """BERT's recipe: AdamW with decoupled weight decay (not on biases and norms), warm-up, decay, clipping.

    ``lr_scheduler`` is ``"linear_decay"`` (warm-up then linear decay to 0) or
    ``"noam_decay"``; ``max_grad_norm=None`` disables clipping.
    """

    def __init__(
        self,
        learning_rate: float = 1e-4,
        weight_decay: float = 0.01,
        warmup_proportion: float = 0.1,
        lr_scheduler: str = "linear_decay",
        max_grad_norm: float | None = 1.0,
        optimizer_name: str = "adamw",
    ) -> None:
        decays = {"linear_decay": "linear", "noam_decay": "noam"}
        if lr_scheduler not in decays:
            raise HubcoreError(f"lr_scheduler must be 'linear_decay' or 'noam_decay', not {lr_scheduler!r}")
        super().__init__(
            optimizer_name,
            learning_rate,
            scheduler={"warmup_proportion": warmup_proportion, "decay": decays[lr_scheduler]},
            regularization={"weight_decay": weight_decay},
            clip={"global_norm": max_grad_norm},
        )


class DefaultFinetuneStrategy(CombinedStrategy):
    """A plain optimiser at a constant rate, with optional classic L2 (``regularization_coeff``)."""

    def __init__(
        self,
        learning_rate: float = 1e-4,
        optimizer_name: str = "adam",
        regularization_coeff: float = 0.0,
        max_grad_norm: float | None = None,
    ) -> None:
        super().__init__(
            optimizer_name,
            learning_rate,
            regularization={"l2": regularization_coeff},
            clip={"global_norm": max_grad_norm},
        )


class L2SPFinetuneStrategy(CombinedStrategy):
    """Regularise towards the pretrained weights instead of towards 0 (Li et al., 2018).

    The loss gains ``regularization_coeff / 2 * sum ||w - w_pretrained||^2`` over
    the encoder's parameters (those ``params_layer`` names; all of them without it).
    """

    def __init__(
        self,
        learning_rate: float = 1e-4,
        optimizer_name: str = "adam",
        regularization_coeff: float = 1e-3,
        max_grad_norm: float | None = None,
    ) -> None:
        super().__init__(
            optimizer_name,
            learning_rate,
            regularization={"l2sp": regularization_coeff},
            clip={"global_norm": max_grad_norm},
        )


class ULMFiTStrategy(CombinedStrategy):
    """ULMFiT's fine-tuning (Howard and Ruder, 2018): slanted triangular rate, per-layer rates, unfreezing.

    ``dis_blocks`` blocks of layers, each learning ``factor`` times slower than the
    one above (0 disables, None gives each depth its own rate); ``frz_blocks``
    blocks unfrozen one at a time from the top, every ``unfreeze_every`` steps
    (default: evenly over training; 0 disables); ``cut_fraction=0`` replaces the
    triangle by a constant rate.
    """

    def __init__(
        self,
        learning_rate: float = 1e-4,
        optimizer_name: str = "adam",
        cut_fraction: float = 0.1,
        ratio: float = 32.0,
        dis_blocks: int | None = 3,
        factor: float = 2.6,
        frz_blocks: int = 3,
        unfreeze_every: int | None = None,
        max_grad_norm: float | None = None,
    ) -> None:
        scheduler: dict[str, Any] = {}
        if cut_fraction > 0:
            scheduler.update(decay="slanted_triangular", cut_fraction=cut_fraction, ratio=ratio)
        if dis_blocks != 0:
            scheduler["discriminative"] = {"blocks": dis_blocks, "factor": factor}
        if frz_blocks:
            scheduler["gradual_unfreeze"] = {"blocks": frz_blocks, "every": unfreeze_every}
        super().__init__(
            optimizer_name, learning_rate, scheduler=scheduler, clip={"global_norm": max_grad_norm}
        )
