"""The named strategies, each a preset of :class:`CombinedStrategy` with PaddleHub's keywords."""

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
