"""CombinedStrategy: any mix of optimiser, schedule (warm-up, decays, slanted triangular,
discriminative rates, gradual unfreezing), regularisation (L2, L2SP, weight decay) and clipping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from hubcore._errors import HubcoreError
from hubcore.finetune.strategies import schedules as schedules
from hubcore.finetune.strategies.base import BaseStrategy
from hubcore.finetune.strategies.params import block_of, depths, no_decay_names

_OPTIMIZERS = ("adam", "adamw", "sgd", "momentum", "adagrad", "rmsprop")
_DECAYS = ("none", "linear", "noam", "slanted_triangular")
_SCHEDULER_KEYS = {
    "warmup_proportion",
    "decay",
    "cut_fraction",
    "ratio",
    "discriminative",
    "gradual_unfreeze",
}
_REGULARIZATION_KEYS = {"l2", "l2sp", "weight_decay"}
_CLIP_KEYS = {"global_norm", "norm"}


class CombinedStrategy(BaseStrategy):
    """An optimiser with any mix of schedule, regularisation and clipping.

    ``scheduler`` keys: ``warmup_proportion`` (of the steps, linear warm-up),
    ``decay`` (``"none"``, ``"linear"`` to 0 at the last step, ``"noam"``, or
    ``"slanted_triangular"`` with ``cut_fraction`` and ``ratio``),
    ``discriminative`` (``{"blocks": n or None, "factor": 2.6}``: each block of
    layers below the head learns ``factor`` times slower than the one above;
    ``None`` blocks = one per depth) and ``gradual_unfreeze``
    (``{"blocks": n, "every": steps or None}``: training starts with the top block
    alone and unfreezes the next one down every ``every`` steps, by default
    spread evenly over training).

    ``regularization`` keys: ``l2`` (classic L2 through the optimiser, every
    parameter), ``weight_decay`` (decoupled, AdamW-style, skipping biases and
    normalisation weights; needs optimizer ``adam`` or ``adamw``) and ``l2sp``
    (``l2sp / 2 * sum ||w - w_pretrained||^2`` over the encoder's parameters,
    the pretrained values being those at :meth:`build`).

    ``clip`` keys: ``global_norm`` (all gradients together) and ``norm`` (each
    parameter's gradient alone).  Unknown keys are errors, not silently ignored.
    """

    def __init__(
        self,
        optimizer_name: str = "adam",
        learning_rate: float = 1e-4,
        scheduler: Mapping[str, Any] | None = None,
        regularization: Mapping[str, Any] | None = None,
        clip: Mapping[str, Any] | None = None,
    ) -> None:
        self.optimizer_name = optimizer_name.lower()
        if self.optimizer_name not in _OPTIMIZERS:
            raise HubcoreError(
                f"unknown optimizer {optimizer_name!r}: expected one of {', '.join(_OPTIMIZERS)}"
            )
        if learning_rate <= 0:
            raise HubcoreError(f"learning_rate must be positive, not {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.scheduler = _checked("scheduler", scheduler, _SCHEDULER_KEYS)
        self.regularization = _checked("regularization", regularization, _REGULARIZATION_KEYS)
        self.clip = _checked("clip", clip, _CLIP_KEYS)
        decay = self.scheduler.get("decay", "none")
        if decay not in _DECAYS:
            raise HubcoreError(f"unknown decay {decay!r}: expected one of {', '.join(_DECAYS)}")
        warmup = float(self.scheduler.get("warmup_proportion", 0.0))
        if not 0.0 <= warmup <= 1.0:
            raise HubcoreError(f"warmup_proportion must be within [0, 1], not {warmup}")
        for key, value in self.regularization.items():
            if float(value) < 0:
                raise HubcoreError(f"regularization {key} must not be negative, not {value}")
        if float(self.regularization.get("weight_decay", 0)) > 0:
            if self.optimizer_name not in ("adam", "adamw"):
                raise HubcoreError(
                    f"decoupled weight_decay needs optimizer adam or adamw, not {optimizer_name!r}"
                )
            if float(self.regularization.get("l2", 0)) > 0:
                raise HubcoreError("choose either l2 or weight_decay regularization, not both")
        self._anchors: dict[str, tuple[torch.nn.Parameter, torch.Tensor]] = {}
        self._blocks: dict[str, int] = {}
        self._params: dict[str, torch.nn.Parameter] = {}
        self._unfreeze_blocks = 0
        self._unfreeze_every = 0
        self._unfrozen = 0

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready (for logs and saved models)."""
        return {
            "strategy": type(self).__name__,
            "optimizer_name": self.optimizer_name,
            "learning_rate": self.learning_rate,
            "scheduler": dict(self.scheduler),
            "regularization": dict(self.regularization),
            "clip": dict(self.clip),
        }

    # -- building -----------------------------------------------------------------------

    def build(
        self, model: torch.nn.Module, *, num_train_steps: int, params_layer: dict[str, int] | None = None
    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
        """Group the trainable parameters by rate and decay, then make the optimiser and scheduler.

        Parameter groups carry ``param_names``, so what each group holds can be
        inspected.  L2SP's pretrained values are copied here, and with gradual
        unfreezing every block but the top is frozen here.
        """
        if num_train_steps < 1:
            raise HubcoreError(f"num_train_steps must be at least 1, not {num_train_steps}")
        depth, top = depths(model, params_layer)
        trainable = {name: param for name, param in model.named_parameters() if param.requires_grad}
        if not trainable:
            raise HubcoreError("the model has no trainable parameters")
        skip_decay = no_decay_names(model)
        groups: dict[tuple[float, float], dict[str, Any]] = {}
        for name, param in trainable.items():
            key = (self._rate_multiplier(depth[name], top), self._decay_of(name, skip_decay))
            group = groups.setdefault(
                key,
                {"params": [], "param_names": [], "lr": self.learning_rate * key[0], "weight_decay": key[1]},
            )
            group["params"].append(param)
            group["param_names"].append(name)
        ordered = [groups[key] for key in sorted(groups, key=lambda k: (-k[0], -k[1]))]
        optimizer = self._optimizer(ordered)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, self._schedule(num_train_steps))
        self._params = trainable
        self._snapshot(trainable, depth, top, params_layer)
        self._freeze_lower_blocks(trainable, depth, top, num_train_steps)
        return optimizer, scheduler

    def _rate_multiplier(self, depth: int, top: int) -> float:
        spec = self.scheduler.get("discriminative")
        if not spec:
            return 1.0
        factor = float(spec.get("factor", 2.6))
        if factor <= 0:
            raise HubcoreError(f"the discriminative factor must be positive, not {factor}")
        return factor ** -block_of(depth, top, spec.get("blocks"))

    def _decay_of(self, name: str, skip_decay: set[str]) -> float:
        decoupled = float(self.regularization.get("weight_decay", 0.0))
        if decoupled > 0:
            return 0.0 if name in skip_decay else decoupled
        return float(self.regularization.get("l2", 0.0))

    def _optimizer(self, groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
        lr = self.learning_rate
        name = self.optimizer_name
        if name == "adamw" or float(self.regularization.get("weight_decay", 0)) > 0:
            return torch.optim.AdamW(groups, lr=lr)
        factories: dict[str, Callable[[], torch.optim.Optimizer]] = {
            "adam": lambda: torch.optim.Adam(groups, lr=lr),
            "sgd": lambda: torch.optim.SGD(groups, lr=lr),
            "momentum": lambda: torch.optim.SGD(groups, lr=lr, momentum=0.9),
            "adagrad": lambda: torch.optim.Adagrad(groups, lr=lr),
            "rmsprop": lambda: torch.optim.RMSprop(groups, lr=lr),
        }
        return factories[name]()

    def _schedule(self, total: int) -> Callable[[int], float]:
        warmup = int(total * float(self.scheduler.get("warmup_proportion", 0.0)))
        decay = self.scheduler.get("decay", "none")
        if decay == "linear":
            return schedules.LinearWarmupDecay(total, warmup)
        if decay == "noam":
            return schedules.NoamDecay(warmup)
        if decay == "slanted_triangular":
            return schedules.SlantedTriangular(
                total, float(self.scheduler.get("cut_fraction", 0.1)), float(self.scheduler.get("ratio", 32))
            )
        return schedules.WarmupConstant(warmup) if warmup > 0 else schedules.constant

    # -- L2SP -------------------------------------------------------------------------------

    def _snapshot(
        self, trainable: dict[str, torch.nn.Parameter], depth: dict[str, int], top: int, params_layer: Any
    ) -> None:
        self._anchors = {}
        if float(self.regularization.get("l2sp", 0.0)) <= 0:
            return
        for name, param in trainable.items():
            if not params_layer or depth[name] < top:  # the head has no pretrained value
                self._anchors[name] = (param, param.detach().clone())

    def penalty(self, model: torch.nn.Module) -> torch.Tensor | None:
        """``l2sp / 2 * sum ||w - w0||^2`` over the encoder's parameters, or None without L2SP."""
        del model  # the parameters were bound at build(), so a DDP wrapper's renaming does not matter
        if not self._anchors:
            return None
        coeff = float(self.regularization["l2sp"])
        total = torch.zeros(())
        for name, (param, anchor) in self._anchors.items():
            if anchor.device != param.device or anchor.dtype != param.dtype:  # the model moved after build()
                anchor = anchor.to(param.device, param.dtype)
                self._anchors[name] = (param, anchor)
            total = total.to(param.device) + ((param - anchor) ** 2).sum()
        return 0.5 * coeff * total

    # -- clipping ---------------------------------------------------------------------------

    def before_optimizer_step(self, model: torch.nn.Module) -> None:
        """Clip gradients (unscale them first when training with a gradient scaler)."""
        with_grad = [param for param in model.parameters() if param.grad is not None]
        global_norm = self.clip.get("global_norm")
        if global_norm:
            torch.nn.utils.clip_grad_norm_(with_grad, float(global_norm))
        norm = self.clip.get("norm")
        if norm:
            for param in with_grad:
                torch.nn.utils.clip_grad_norm_([param], float(norm))

    # -- gradual unfreezing -----------------------------------------------------------------

    def _freeze_lower_blocks(
        self, trainable: dict[str, torch.nn.Parameter], depth: dict[str, int], top: int, total: int
    ) -> None:
        spec = self.scheduler.get("gradual_unfreeze") or {}
        self._blocks = {}
        self._unfreeze_blocks = int(spec.get("blocks", 0))
        if self._unfreeze_blocks <= 1:
            self._unfreeze_blocks = 0
            return
        every = spec.get("every")
        self._unfreeze_every = int(every) if every else max(1, total // self._unfreeze_blocks)
        self._blocks = {name: block_of(depth[name], top, self._unfreeze_blocks) for name in trainable}
        for name, param in trainable.items():
            param.requires_grad_(self._blocks[name] == 0)
        self._unfrozen = 1

    def on_step_end(self, step: int, model: torch.nn.Module) -> None:
        """Unfreeze the next block down each time ``step`` reaches a multiple of the interval."""
        del model
        if self._unfreeze_blocks:
            self._unfreeze_to(min(self._unfreeze_blocks, 1 + step // self._unfreeze_every))

    def _unfreeze_to(self, count: int) -> None:
        self._unfrozen = max(self._unfrozen, count)
        for name, param in self._params.items():
            if name in self._blocks:
                param.requires_grad_(self._blocks[name] < self._unfrozen)

    @property
    def unfrozen_blocks(self) -> int | None:
        """How many blocks (from the top) train now, or None without gradual unfreezing."""
        return self._unfrozen if self._unfreeze_blocks else None

    # -- resuming ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The unfreezing progress and L2SP's pretrained values (tensors and ints only)."""
        return {
            "unfrozen_blocks": self._unfrozen,
            "l2sp_anchors": {
                name: anchor.detach().cpu().clone() for name, (_, anchor) in self._anchors.items()
            },
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore after :meth:`build` on the restored model: pretrained values and frozen blocks."""
        anchors = state.get("l2sp_anchors", {})
        if set(anchors) != set(self._anchors):
            raise HubcoreError(
                "the saved strategy state does not match this model and strategy "
                f"({len(anchors)} saved L2SP anchors, {len(self._anchors)} expected); was build() called?"
            )
        for name, saved in anchors.items():
            self._anchors[name][1].copy_(saved)
        if self._unfreeze_blocks:
            self._unfreeze_to(int(state.get("unfrozen_blocks", 1)))


def _checked(what: str, options: Mapping[str, Any] | None, allowed: set[str]) -> dict[str, Any]:
    given = {key: value for key, value in (options or {}).items() if value is not None}
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise HubcoreError(
            f"unknown {what} option {unknown[0]!r}: expected some of {', '.join(sorted(allowed))}"
        )
    return given
